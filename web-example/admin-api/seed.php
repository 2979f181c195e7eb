<?php
// Creates the example back office's SQLite database from scratch, always with
// the same data (only the password hashes differ, they are salted):
//
//   php -d date.timezone=Europe/Berlin seed.php /path/to/admin-api.sqlite
//
// Known customers: ann@example.com (id 1, 34 orders) and bob@example.com
// (id 2, 28 orders), both with the password "demo-password". Everyone else has
// the password "other-customer-password". Dates are local time (ADMIN_API_TIMEZONE,
// default Europe/Berlin) over the three years before SEED_NOW. Money is kept
// as integer cents; the API formats it.

if (PHP_SAPI !== 'cli') {
    exit;
}
if ($argc !== 2 || $argv[1] === '') {
    fwrite(STDERR, "usage: php seed.php PATH-OF-SQLITE-FILE\n");
    exit(2);
}

const SEED = 20241204;
const SEED_NOW = '2026-12-01 10:00:00';   // fixed, so every run makes the same data
const ZERO_DATE = '0000-00-00 00:00:00';
const CUSTOMERS = 200;
const PRODUCTS = 500;
const ORDERS = 5000;
const ANN_ORDERS = 34;
const BOB_ORDERS = 28;
const CUSTOMERS_WITHOUT_ORDERS = 5;        // the last five customer ids
const DAY = 86400;

$tz = getenv('ADMIN_API_TIMEZONE') ?: 'Europe/Berlin';
date_default_timezone_set($tz);
mt_srand(SEED, MT_RAND_MT19937);
$started = microtime(true);

$path = $argv[1];
$tmp = $path . '.seeding';
foreach ([$tmp, $tmp . '-journal'] as $f) {
    if (file_exists($f)) {
        unlink($f);
    }
}

$now = strtotime(SEED_NOW);
$start = strtotime('-3 years', $now);

function chance(int $percent): bool
{
    return mt_rand(1, 100) <= $percent;
}

function pick(array $list)
{
    return $list[mt_rand(0, count($list) - 1)];
}

function local(int $ts): string
{
    return date('Y-m-d H:i:s', $ts);
}

function ascii(string $s): string
{
    return strtolower(strtr($s, ['ä' => 'ae', 'ö' => 'oe', 'ü' => 'ue', 'ß' => 'ss', 'é' => 'e', 'á' => 'a', 'ó' => 'o', 'ë' => 'e', 'ı' => 'i', 'Ä' => 'ae', 'Ö' => 'oe', 'Ü' => 'ue', ' ' => '', "'" => '']));
}

$pdo = new PDO('sqlite:' . $tmp, null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$pdo->exec('PRAGMA journal_mode = OFF');
$pdo->exec('PRAGMA synchronous = OFF');
$pdo->exec(<<<'SQL'
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    last_login TEXT NOT NULL DEFAULT '0000-00-00 00:00:00',
    street TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    placed TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')),
    total_cents INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    shipped TEXT NOT NULL DEFAULT '0000-00-00 00:00:00'
);
CREATE INDEX orders_customer_placed ON orders (customer_id, placed, id);
CREATE INDEX orders_placed ON orders (placed, id);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    qty INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL
);
CREATE INDEX order_items_order ON order_items (order_id, id);
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    order_id INTEGER NOT NULL UNIQUE REFERENCES orders(id),
    issued TEXT NOT NULL,
    paid TEXT NOT NULL DEFAULT '0000-00-00 00:00:00',
    amount_due_cents INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR'
);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    created TEXT NOT NULL
);
CREATE INDEX tickets_customer ON tickets (customer_id, id);
CREATE TABLE ticket_messages (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    author TEXT NOT NULL CHECK (author IN ('customer', 'staff')),
    body TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
-- One row per write the front end sent with an idempotency key: a retry with the same key
-- gets the stored answer instead of writing again. Keys are scoped to the customer.
CREATE TABLE idempotency_keys (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    idem_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (customer_id, idem_key)
);
SQL);
$pdo->beginTransaction();

// ---- products -------------------------------------------------------------
$adjectives = ['Brass', 'Steel', 'Stainless', 'Galvanised', 'Black', 'Heavy-Duty', 'Compact', 'Classic', 'Oak', 'Walnut', 'Matte', 'Polished'];
$nouns = ['Door Hinge', 'Cabinet Handle', 'Drawer Slide', 'Wall Hook', 'Shelf Bracket', 'Hasp', 'Corner Brace', 'Latch', 'Knob', 'Cable Tie Pack', 'Screw Set', 'Wood Glue'];
$german = ['Flügelmutter', 'Möbelgriff', 'Türstopper', 'Schraubendreher', 'Gelenkband', 'Holzdübel'];
$sizes = ['10 mm', '25 mm', '40 mm', '60 mm', '75 mm', '100 mm', 'M4', 'M6', 'M8', 'S', 'M', 'L', 'XL', '250 ml', '1 kg'];
$productPrice = [];
$st = $pdo->prepare('INSERT INTO products (id, sku, name, price_cents, currency, active) VALUES (?, ?, ?, ?, ?, ?)');
for ($id = 1; $id <= PRODUCTS; $id++) {
    $name = chance(8) ? pick($german) . ' ' . pick($sizes) : pick($adjectives) . ' ' . pick($nouns) . ' ' . pick($sizes);
    $price = chance(60) ? mt_rand(1, 249) * 100 - 1 : mt_rand(99, 24999);
    $productPrice[$id] = $price;
    $st->execute([$id, sprintf('SKU-%05d', $id), $name, $price, 'EUR', chance(92) ? 1 : 0]);
}

// ---- customers ------------------------------------------------------------
$first = ['Anna', 'Lukas', 'Mia', 'Jonas', 'Lea', 'Felix', 'Emma', 'Paul', 'Sophie', 'Jürgen', 'Chloé', 'Noah', 'Hannah', 'Ole', 'Zoë', 'Mehmet', 'Marta', 'Tomás', 'Ines', 'Karl'];
$last = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Schäfer', 'Koch', 'Richter', 'Klein', 'Wolf', 'Neumann', 'Yılmaz', "O'Brien", 'Dubois', 'Rossi', 'Nowak'];
$domains = ['example.com', 'example.de', 'example.net', 'example.org'];
$demoHash = password_hash('demo-password', PASSWORD_DEFAULT);
$otherHash = password_hash('other-customer-password', PASSWORD_DEFAULT);
$customers = [];
for ($id = 1; $id <= CUSTOMERS; $id++) {
    if ($id === 1) {
        [$name, $email, $hash] = ['Ann Example', 'ann@example.com', $demoHash];
    } elseif ($id === 2) {
        [$name, $email, $hash] = ['Bob Example', 'bob@example.com', $demoHash];
    } else {
        $f = pick($first);
        $l = pick($last);
        $name = "$f $l";
        $email = ascii($f) . '.' . ascii($l) . '.' . $id . '@' . pick($domains);
        $hash = $otherHash;
    }
    $phone = chance(80) ? sprintf('+49 %d %d', mt_rand(30, 991), mt_rand(1000000, 9999999)) : '';
    $created = $id <= 2 ? $start - 200 * DAY + $id * 3600 : mt_rand($start - 400 * DAY, $start + 700 * DAY);
    $customers[$id] = ['name' => $name, 'email' => $email, 'hash' => $hash, 'phone' => $phone, 'created' => $created, 'last_order' => null];
}

// ---- which customer places which order, and when ---------------------------
// Each order is planned first (customer, time, forced shape), then sorted by
// time so that ids and numbers grow with the date, as in a real shop.
$plans = [];
$forced = [
    1 => ['pending', 'paid', 'cancelled', 'gap', 'unpaid', 'trailing_zero', 'gap', 'unpaid'],
    2 => ['paid', 'gap', 'unpaid', 'cancelled', 'trailing_zero'],
];
foreach ([1 => ANN_ORDERS, 2 => BOB_ORDERS] as $cid => $count) {
    for ($i = 0; $i < $count; $i++) {
        $force = $forced[$cid][$i] ?? null;
        if ($force === 'pending') {
            $ts = $now - 2 * DAY + mt_rand(0, DAY);
        } elseif ($force === 'paid') {
            $ts = $now - 9 * DAY + mt_rand(0, DAY);
        } else {
            $ts = mt_rand(max($start, $customers[$cid]['created']), $now - 12 * DAY);
        }
        $plans[] = ['customer' => $cid, 'ts' => $ts, 'force' => $force];
    }
}
$lastBuyer = CUSTOMERS - CUSTOMERS_WITHOUT_ORDERS;
$weights = [];
$weightSum = 0;
for ($cid = 3; $cid <= $lastBuyer; $cid++) {
    $w = chance(15) ? mt_rand(20, 40) : mt_rand(1, 12);
    $weights[$cid] = $w;
    $weightSum += $w;
}
for ($i = count($plans); $i < ORDERS; $i++) {
    $r = mt_rand(1, $weightSum);
    foreach ($weights as $cid => $w) {
        $r -= $w;
        if ($r <= 0) {
            break;
        }
    }
    $from = max($start, $customers[$cid]['created']);
    $plans[] = ['customer' => $cid, 'ts' => mt_rand($from, $now - 3600), 'force' => null];
}
usort($plans, fn ($a, $b) => $a['ts'] <=> $b['ts']); // stable since PHP 8

// ---- orders, lines and invoices -------------------------------------------
$insOrder = $pdo->prepare('INSERT INTO orders (id, number, customer_id, placed, status, total_cents, currency, shipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
$insItem = $pdo->prepare('INSERT INTO order_items (order_id, product_id, qty, unit_price_cents) VALUES (?, ?, ?, ?)');
$insInvoice = $pdo->prepare('INSERT INTO invoices (id, number, order_id, issued, paid, amount_due_cents, currency) VALUES (?, ?, ?, ?, ?, ?, ?)');
$invoiceId = 0;
foreach ($plans as $i => $plan) {
    $orderId = $i + 1;
    $ts = $plan['ts'];
    $force = $plan['force'];
    $age = $now - $ts;

    // status
    $roll = mt_rand(1, 100);
    if ($age < 3 * DAY) {
        $status = $roll <= 50 ? 'pending' : ($roll <= 80 ? 'paid' : 'shipped');
    } elseif ($age < 30 * DAY) {
        $status = $roll <= 10 ? 'pending' : ($roll <= 25 ? 'paid' : ($roll <= 40 ? 'cancelled' : 'shipped'));
    } else {
        $status = $roll <= 2 ? 'pending' : ($roll <= 4 ? 'paid' : ($roll <= 14 ? 'cancelled' : 'shipped'));
    }
    if (in_array($force, ['pending', 'paid', 'cancelled'], true)) {
        $status = $force;
    } elseif ($force !== null) {
        $status = 'shipped';
    }
    $shippedTs = null;
    if ($status === 'shipped') {
        $shippedTs = min($ts + mt_rand(4 * 3600, 7 * DAY), $now - 1800);
    }

    // lines: 1 to 6 distinct products; some lines were removed (qty 0)
    $count = mt_rand(1, 6);
    if ($force === 'gap') {
        $count = max($count, 3);
    } elseif ($force === 'trailing_zero') {
        $count = max($count, 2);
    }
    $products = [];
    while (count($products) < $count) {
        $products[mt_rand(1, PRODUCTS)] = true;
    }
    $lines = [];
    foreach (array_keys($products) as $productId) {
        $qty = chance(7) && $count > 1 ? 0 : (chance(75) ? mt_rand(1, 3) : mt_rand(4, 12));
        $unit = (int) round($productPrice[$productId] * mt_rand(85, 105) / 100);
        $lines[] = [$productId, $qty, $unit];
    }
    if ($force === 'gap') {
        foreach ($lines as $n => $line) {
            $lines[$n][1] = $n === 1 ? 0 : max(1, $line[1]);
        }
    } elseif ($force === 'trailing_zero') {
        foreach ($lines as $n => $line) {
            $lines[$n][1] = $n === $count - 1 ? 0 : max(1, $line[1]);
        }
    }
    if (max(array_column($lines, 1)) === 0) {
        $lines[0][1] = 1;
    }
    $total = 0;
    foreach ($lines as [$productId, $qty, $unit]) {
        $total += $qty * $unit;
    }

    $number = sprintf('SO-%s-%06d', date('Y', $ts), 1000 + $orderId);
    $insOrder->execute([$orderId, $number, $plan['customer'], local($ts), $status, $total, 'EUR', $shippedTs ? local($shippedTs) : ZERO_DATE]);
    foreach ($lines as [$productId, $qty, $unit]) {
        $insItem->execute([$orderId, $productId, $qty, $unit]);
    }

    // one invoice per shipped order
    if ($shippedTs !== null) {
        $invoiceId++;
        $issued = min($shippedTs + mt_rand(0, 6 * 3600), $now - 600);
        $paidTs = null;
        if ($force !== 'unpaid' && chance($now - $issued > 60 * DAY ? 93 : 55)) {
            $paidTs = min($issued + mt_rand(0, 30 * DAY), $now - 60);
        }
        $insInvoice->execute([
            $invoiceId,
            sprintf('INV-%s-%06d', date('Y', $issued), 9000 + $invoiceId),
            $orderId,
            local($issued),
            $paidTs ? local($paidTs) : ZERO_DATE,
            $paidTs ? 0 : $total,
            'EUR',
        ]);
    }
    $c = &$customers[$plan['customer']];
    $c['last_order'] = max($c['last_order'] ?? 0, $ts);
    unset($c);
}

$insCustomer = $pdo->prepare('INSERT INTO customers (id, email, name, password_hash, phone, created, last_login) VALUES (?, ?, ?, ?, ?, ?, ?)');
foreach ($customers as $id => $c) {
    if ($c['last_order'] !== null) {
        $lastLogin = local(min($c['last_order'] + mt_rand(0, 20 * DAY), $now - 60));
    } else {
        $lastLogin = chance(50) ? ZERO_DATE : local(mt_rand($c['created'], $now - 60));
    }
    $insCustomer->execute([$id, $c['email'], $c['name'], $c['hash'], $c['phone'], local($c['created']), $lastLogin]);
}

$pdo->exec("UPDATE customers SET street = 'Gartenweg 12', postal_code = '10115', city = 'Berlin', country = 'DE' WHERE id = 1");
$pdo->exec("UPDATE customers SET street = 'Hafenstraße 3', postal_code = '20457', city = 'Hamburg', country = 'DE' WHERE id = 2");

$pdo->commit();
$pdo = null;
if (!rename($tmp, $path)) {
    fwrite(STDERR, "could not move $tmp to $path\n");
    exit(1);
}
foreach ([$path . '-journal', $path . '-wal', $path . '-shm'] as $f) {
    if (file_exists($f)) {
        unlink($f);
    }
}
printf("seeded %s: %d customers, %d products, %d orders, %d invoices in %.1fs (time zone %s)\n",
    $path, CUSTOMERS, PRODUCTS, ORDERS, $invoiceId, microtime(true) - $started, $tz);
