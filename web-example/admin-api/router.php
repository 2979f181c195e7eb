<?php
// Router for PHP's built-in web server:
//   php -d date.timezone=Europe/Berlin -S 127.0.0.1:8090 router.php
// Serves /apis/<file>.php for the five API files and nothing else: no static
// files, no database, no lib/ files. Anything else is a plain-text 404.

if (PHP_SAPI !== 'cli-server') {
    fwrite(STDERR, "router.php is the router script of PHP's built-in server: php -S 127.0.0.1:8090 router.php\n");
    exit(1);
}

// Errors are logged (to the server's stderr), never shown in an answer.
ini_set('display_errors', '0');
ini_set('html_errors', '0');
ini_set('log_errors', '1');
error_reporting(E_ALL);

const ADMIN_API = true;
const ADMIN_API_FILES = ['account_api.php', 'order_api.php', 'product_api.php', 'invoice_api.php', 'support_api.php'];

require __DIR__ . '/lib/config.php';
require __DIR__ . '/lib/signature.php';
$CONFIG = config_load();

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
if (!is_string($path) || !preg_match('#^/apis/([a-z_]+\.php)$#', $path, $m) || !in_array($m[1], ADMIN_API_FILES, true)) {
    http_response_code(404);
    header('Content-Type: text/plain; charset=utf-8');
    echo "Not Found\n";
    return true;
}
$file = $m[1];

// Test-only fault modes: this code is not even loaded without ADMIN_API_TEST_FAULTS=1.
if (getenv('ADMIN_API_TEST_FAULTS') === '1') {
    define('ADMIN_API_FAULTS', true);
    require __DIR__ . '/lib/faults.php';
    faults_begin($file);
}

require __DIR__ . '/apis/' . $file;
return true;
