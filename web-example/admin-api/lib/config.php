<?php
// Reads the back office's settings from the environment.
// A missing setting stops the request with HTTP 500 and a plain message:
// the example refuses to serve rather than run with an open door.

function config_refuse(string $message): void
{
    if (!headers_sent()) {
        http_response_code(500);
        header('Content-Type: text/plain; charset=utf-8');
    }
    echo "admin-api is not configured: $message\n";
    error_log("admin-api is not configured: $message");
    exit;
}

function config_load(): array
{
    $db = (string) getenv('ADMIN_API_DB');
    $front = (string) getenv('ADMIN_API_FRONT_KEY');
    $admin = (string) getenv('ADMIN_API_ADMIN_KEY');
    $tz = (string) getenv('ADMIN_API_TIMEZONE');
    if ($tz === '') {
        $tz = 'Europe/Berlin';
    }

    if ($db === '') {
        config_refuse('ADMIN_API_DB (path of the SQLite database) is not set');
    }
    if (!is_file($db) || !is_readable($db)) {
        config_refuse('ADMIN_API_DB does not name a readable file (run seed.php first)');
    }
    if ($front === '') {
        config_refuse('ADMIN_API_FRONT_KEY is not set');
    }
    if ($admin === '') {
        config_refuse('ADMIN_API_ADMIN_KEY is not set');
    }
    if (hash_equals($front, $admin)) {
        config_refuse('ADMIN_API_FRONT_KEY and ADMIN_API_ADMIN_KEY must differ');
    }
    if (!in_array($tz, timezone_identifiers_list(), true)) {
        config_refuse('ADMIN_API_TIMEZONE is not a known time zone');
    }
    date_default_timezone_set($tz);

    // Request signatures: optional keys, a switch that makes them mandatory, and a
    // writable SQLite file for the nonces already seen.
    $signingKeys = [];
    $keySpec = (string) getenv('ADMIN_API_SIGNING_KEYS');
    $require = getenv('ADMIN_API_REQUIRE_SIGNATURES') === '1';
    $nonceDb = (string) getenv('ADMIN_API_NONCE_DB');
    if ($keySpec !== '') {
        $signingKeys = signature_parse_keys($keySpec);
        if (is_string($signingKeys)) {
            config_refuse("ADMIN_API_SIGNING_KEYS is invalid: $signingKeys");
        }
        if ($nonceDb === '') {
            config_refuse('ADMIN_API_NONCE_DB (a writable SQLite file for signature nonces) is not set');
        }
    }
    if ($require && count($signingKeys) === 0) {
        config_refuse('ADMIN_API_REQUIRE_SIGNATURES=1 needs ADMIN_API_SIGNING_KEYS');
    }

    return [
        'db' => $db,
        'front_key' => $front,
        'admin_key' => $admin,
        'timezone' => $tz,
        'signing_keys' => $signingKeys,
        'require_signatures' => $require,
        'nonce_db' => $nonceDb,
    ];
}
