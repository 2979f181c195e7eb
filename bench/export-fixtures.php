<?php
// Writes the benchmark upstream's fixtures: the records of the demo customers (ann, id 1, and
// bob, id 2) as the example back office answers them, taken from a database made by seed.php.
//
//   php web-example/admin-api/seed.php /tmp/admin-api.sqlite
//   php bench/export-fixtures.php /tmp/admin-api.sqlite > bench/testdata/fixtures.json
//
// Values stay strings, as PDO with ATTR_STRINGIFY_FETCHES returns them, so the benchmark
// upstream sends what the PHP back office would send.

if (PHP_SAPI !== 'cli' || $argc !== 2) {
    fwrite(STDERR, "usage: php bench/export-fixtures.php PATH-OF-SEEDED-SQLITE-FILE\n");
    exit(2);
}

const CUSTOMERS = [1, 2];

$pdo = new PDO('sqlite:' . $argv[1], null, null, [
    PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
    PDO::ATTR_STRINGIFY_FETCHES => true,
    PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
    PDO::SQLITE_ATTR_OPEN_FLAGS => PDO::SQLITE_OPEN_READONLY,
]);
$in = implode(',', CUSTOMERS);
$money = fn (string $column) => "printf('%d.%02d', $column / 100, $column % 100)";

$out = ['customers' => [], 'orders' => [], 'items' => [], 'invoices' => [], 'products' => []];
foreach ($pdo->query("SELECT id, name, email, phone, created, last_login FROM customers WHERE id IN ($in) ORDER BY id") as $row) {
    $out['customers'][$row['id']] = $row;
}
// Newest first, as order_api.php's list returns them.
foreach ($pdo->query('SELECT id, number, customer_id, placed, status, ' . $money('total_cents') . " AS total, currency, shipped FROM orders WHERE customer_id IN ($in) ORDER BY placed DESC, id DESC") as $row) {
    $out['orders'][] = $row;
}
foreach ($pdo->query('SELECT i.id, i.order_id, i.product_id, i.qty, ' . $money('i.unit_price_cents') . " AS unit_price FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.customer_id IN ($in) AND i.qty > 0 ORDER BY i.order_id, i.id") as $row) {
    $out['items'][$row['order_id']][] = $row;
}
foreach ($pdo->query('SELECT v.id, v.number, v.order_id, v.issued, v.paid, ' . $money('v.amount_due_cents') . " AS amount_due, v.currency FROM invoices v JOIN orders o ON o.id = v.order_id WHERE o.customer_id IN ($in) ORDER BY v.order_id") as $row) {
    $out['invoices'][$row['order_id']] = $row;
}
foreach ($pdo->query('SELECT id, sku, name, ' . $money('price_cents') . " AS price, currency, active FROM products WHERE id IN (SELECT i.product_id FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.customer_id IN ($in)) ORDER BY id") as $row) {
    $out['products'][$row['id']] = $row;
}
echo json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
