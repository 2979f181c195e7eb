<?php
// The product catalog. Products belong to no customer: customer_id is not read.
// Envelope: {"status":"ok","data":...} / {"status":"error","code":"...","message":"..."}
if (!defined('ADMIN_API')) {
    http_response_code(404);
    exit;
}
require_once __DIR__ . '/../lib/api.php';

function product_columns(): string
{
    return 'id, sku, name, ' . db_money('price_cents') . ' AS price, currency, active';
}

function product_get(): array
{
    $ids = param_ids('ids');
    $st = db()->prepare('SELECT ' . product_columns() . ' FROM products WHERE id IN (' . db_placeholders($ids) . ') ORDER BY id');
    $st->execute($ids);

    $result = [];
    while ($row = $st->fetch(PDO::FETCH_ASSOC)) {
        $result[$row['id']] = $row;
    }
    return $result;
}

function product_search(): array
{
    $q = trim(param_required('q'));
    $limit = param_int('limit', 20, 1, 100);
    $like = '%' . addcslashes($q, '%_\\') . '%';

    $st = db()->prepare('SELECT ' . product_columns() . " FROM products"
        . " WHERE name LIKE ? ESCAPE '\\' OR sku LIKE ? ESCAPE '\\'"
        . " ORDER BY name, id LIMIT $limit");
    $st->execute([$like, $like]);
    // Old code: no fetch mode given, so PDO's default FETCH_BOTH adds
    // numeric keys ("0", "1", ...) beside the named columns.
    return $st->fetchAll();
}

api_main(
    [
        'get' => ['public', fn ($customerId) => product_get()],
        'search' => ['public', fn ($customerId) => product_search()],
    ],
    fn ($data) => ['status' => 'ok', 'data' => $data],
    fn ($code, $message) => ['status' => 'error', 'code' => $code, 'message' => $message],
    'data'
);
