<?php
// Orders and order lines.
// Envelope: {"success":true,"result":...} / {"success":false,"code":"...","error":"..."}
if (!defined('ADMIN_API')) {
    http_response_code(404);
    exit;
}
require_once __DIR__ . '/../lib/api.php';

function order_columns(): string
{
    return 'id, number, customer_id, placed, status, ' . db_money('total_cents') . ' AS total, currency, shipped';
}

function order_list(?int $customerId): array
{
    $offset = param_int('offset', 0, 0, 999999999);
    $limit = param_int('limit', 20, 1, 100);

    $where = '';
    $args = [];
    if ($customerId !== null) {
        $where = 'WHERE customer_id = ?';
        $args[] = $customerId;
    }
    $st = db()->prepare("SELECT COUNT(*) FROM orders $where");
    $st->execute($args);
    $total = $st->fetchColumn();

    $st = db()->prepare('SELECT ' . order_columns() . " FROM orders $where ORDER BY placed DESC, id DESC LIMIT $limit OFFSET $offset");
    $st->execute($args);
    $orders = $st->fetchAll(PDO::FETCH_ASSOC);

    return ['total' => $total, 'offset' => $offset, 'orders' => $orders];
}

function order_get(?int $customerId): array
{
    $ids = param_ids('ids');
    $sql = 'SELECT ' . order_columns() . ' FROM orders WHERE id IN (' . db_placeholders($ids) . ')';
    $args = $ids;
    if ($customerId !== null) {
        $sql .= ' AND customer_id = ?';
        $args[] = $customerId;
    }
    $st = db()->prepare($sql . ' ORDER BY id');
    $st->execute($args);

    $result = [];
    while ($row = $st->fetch(PDO::FETCH_ASSOC)) {
        $result[$row['id']] = $row;
    }
    return $result;
}

function order_items(?int $customerId): array
{
    $ids = param_ids('order_ids');
    $sql = 'SELECT i.id, i.order_id, i.product_id, i.qty, ' . db_money('i.unit_price_cents') . ' AS unit_price'
        . ' FROM order_items i JOIN orders o ON o.id = i.order_id'
        . ' WHERE i.order_id IN (' . db_placeholders($ids) . ')';
    $args = $ids;
    if ($customerId !== null) {
        $sql .= ' AND o.customer_id = ?';
        $args[] = $customerId;
    }
    $st = db()->prepare($sql . ' ORDER BY i.order_id, i.id');
    $st->execute($args);

    $result = [];
    while ($row = $st->fetch(PDO::FETCH_ASSOC)) {
        $result[$row['order_id']][] = $row;
    }
    // Lines set to quantity 0 were removed in the shop; array_filter keeps
    // the other lines' indexes, so such a list is written as an object.
    foreach ($result as $orderId => $items) {
        $result[$orderId] = array_filter($items, fn ($item) => $item['qty'] > 0);
    }
    return $result;
}

api_main(
    [
        'list' => ['customer', 'order_list'],
        'get' => ['customer', 'order_get'],
        'items' => ['customer', 'order_items'],
    ],
    fn ($result) => ['success' => true, 'result' => $result],
    fn ($code, $error) => ['success' => false, 'code' => $code, 'error' => $error],
    'result'
);
