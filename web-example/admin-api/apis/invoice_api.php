<?php
// Invoices, one per shipped order.
// Envelope: {"success":"1","data":...} / {"success":"0","code":"...","error":"..."}
if (!defined('ADMIN_API')) {
    http_response_code(404);
    exit;
}
require_once __DIR__ . '/../lib/api.php';

function invoice_by_orders(?int $customerId): array
{
    $ids = param_ids('order_ids');
    $sql = 'SELECT v.id, v.number, v.order_id, v.issued, v.paid, ' . db_money('v.amount_due_cents') . ' AS amount_due, v.currency'
        . ' FROM invoices v JOIN orders o ON o.id = v.order_id'
        . ' WHERE v.order_id IN (' . db_placeholders($ids) . ')';
    $args = $ids;
    if ($customerId !== null) {
        $sql .= ' AND o.customer_id = ?';
        $args[] = $customerId;
    }
    $st = db()->prepare($sql . ' ORDER BY v.order_id');
    $st->execute($args);

    $result = [];
    // Old code: bare fetch() uses PDO's default FETCH_BOTH, so each invoice
    // also carries numeric keys ("0", "1", ...) beside the named columns.
    while ($row = $st->fetch()) {
        $result[$row['order_id']] = $row;
    }
    return $result;
}

api_main(
    [
        'by_orders' => ['customer', 'invoice_by_orders'],
    ],
    fn ($data) => ['success' => '1', 'data' => $data],
    fn ($code, $error) => ['success' => '0', 'code' => $code, 'error' => $error],
    'data'
);
