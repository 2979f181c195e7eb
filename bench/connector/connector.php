<?php
// The connector the customer site used before the gateway, rebuilt for the benchmark: the
// browser posted each back-office call here, and this script checked the Referer, renamed the
// site's parameters to the back office's, added the API key and forwarded the call. A page
// therefore cost one browser round trip per back-office call.
//
//   CONNECTOR_UPSTREAM=http://127.0.0.1:8091/apis/ CONNECTOR_KEY=... \
//   CONNECTOR_ORIGIN=http://127.0.0.1:8093 php -S 127.0.0.1:8093 bench/connector/connector.php
//
// It is measured as it was written, not as it should be: the customer id comes from the
// browser, which is why any visitor could read any customer's data.

$upstream = getenv('CONNECTOR_UPSTREAM') ?: 'http://127.0.0.1:8091/apis/';
$key = getenv('CONNECTOR_KEY') ?: '';
$origin = getenv('CONNECTOR_ORIGIN') ?: '';

function reject(int $status, string $message): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode(['status' => 'error', 'code' => 'connector', 'message' => $message]);
    exit;
}

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    reject(405, 'POST only');
}
$referer = $_SERVER['HTTP_REFERER'] ?? '';
if ($origin === '' || strpos($referer, $origin . '/') !== 0) {
    reject(403, 'Wrong referer');
}

// The site's names for each area, its actions, and their parameters.
const AREAS = [
    'account' => ['account_api.php', ['profile' => 'profile']],
    'orders' => ['order_api.php', ['list' => 'list', 'get' => 'get', 'lines' => 'items']],
    'invoices' => ['invoice_api.php', ['invoices' => 'by_orders']],
    'catalog' => ['product_api.php', ['get' => 'get']],
];
const RENAMES = ['customer' => 'customer_id', 'start' => 'offset', 'count' => 'limit', 'product' => 'ids'];

$area = $_POST['area'] ?? '';
$action = $_POST['action'] ?? '';
if (!isset(AREAS[$area][1][$action])) {
    reject(400, 'Unknown action');
}
[$file, $actions] = AREAS[$area];
$req = $actions[$action];

$params = ['req' => $req, 'key' => $key];
foreach ($_POST as $name => $value) {
    if ($name === 'area' || $name === 'action') {
        continue;
    }
    if ($name === 'order') {
        // Order ids are `ids` when the orders themselves are read, `order_ids` otherwise.
        $params[$req === 'get' ? 'ids' : 'order_ids'] = $value;
        continue;
    }
    $params[RENAMES[$name] ?? $name] = $value;
}

$context = stream_context_create(['http' => [
    'method' => 'POST',
    'header' => "Content-Type: application/x-www-form-urlencoded\r\n",
    // PHP-style lists: ids[]=1&ids[]=2, as the back office expects them.
    'content' => preg_replace('/%5B\d+%5D=/', '%5B%5D=', http_build_query($params)),
    'timeout' => 10,
    'ignore_errors' => true,
]]);
$answer = @file_get_contents($upstream . $file, false, $context);
if ($answer === false) {
    reject(502, 'Back office unreachable');
}
header('Content-Type: application/json');
echo $answer;
