<?php
// The little framework every file in apis/ shares: parameter reading,
// key levels and customer scoping, and writing the file's own envelope.

require_once __DIR__ . '/auth.php';
require_once __DIR__ . '/db.php';

class ApiError extends Exception
{
    public string $apiCode;

    public function __construct(string $apiCode, string $message)
    {
        parent::__construct($message);
        $this->apiCode = $apiCode;
    }
}

function invalid(string $message): ApiError
{
    return new ApiError('invalid', $message);
}

// A scalar string parameter, or null when it is absent.
function param_string(string $name): ?string
{
    if (!array_key_exists($name, $_REQUEST)) {
        return null;
    }
    $value = $_REQUEST[$name];
    if (!is_string($value)) {
        throw invalid("Malformed parameter: $name");
    }
    return $value;
}

function param_required(string $name): string
{
    $value = param_string($name);
    if ($value === null || trim($value) === '') {
        throw invalid("Missing parameter: $name");
    }
    return $value;
}

// A non-negative integer parameter, $default when absent, within [$min, $max].
function param_int(string $name, int $default, int $min, int $max): int
{
    $value = param_string($name);
    if ($value === null || $value === '') {
        return $default;
    }
    if (!ctype_digit($value) || strlen($value) > 9) {
        throw invalid("Malformed parameter: $name");
    }
    $n = (int) $value;
    if ($n < $min || $n > $max) {
        throw invalid("Parameter out of range: $name ($min to $max)");
    }
    return $n;
}

function is_id_string($value): bool
{
    return is_string($value) && ctype_digit($value) && strlen($value) <= 18 && (int) $value > 0;
}

// A positive id, or null when absent.
function param_id(string $name): ?int
{
    $value = param_string($name);
    if ($value === null || $value === '') {
        return null;
    }
    if (!is_id_string($value)) {
        throw invalid("Malformed parameter: $name");
    }
    return (int) $value;
}

// A PHP-style list `name[]=1&name[]=2` of positive ids, deduplicated.
function param_ids(string $name): array
{
    if (!array_key_exists($name, $_REQUEST)) {
        throw invalid("Missing parameter: {$name}[]");
    }
    $values = $_REQUEST[$name];
    if (!is_array($values) || count($values) === 0) {
        throw invalid("Malformed parameter: {$name}[]");
    }
    $ids = [];
    foreach ($values as $value) {
        if (!is_id_string($value)) {
            throw invalid("Malformed parameter: {$name}[]");
        }
        $ids[(int) $value] = true;
    }
    return array_keys($ids);
}

// Writes one JSON answer. $dataField names the envelope's payload field,
// used only by the test-only fault modes.
function send_json(array $payload, ?string $dataField): void
{
    if (!headers_sent()) {
        header('Content-Type: application/json; charset=utf-8');
    }
    if (defined('ADMIN_API_FAULTS')) {
        faults_send($payload, $dataField);
        return;
    }
    echo json_encode($payload);
}

/**
 * Runs one API file.
 *
 * $routes maps each `req` value to [scope, handler]:
 *   'public'   any valid key; customer_id is not read (login, catalog data)
 *   'customer' any valid key; the front-end key must send customer_id and is
 *              scoped to it, the admin key may omit it
 *   'admin'    admin key only
 * A handler gets the scoping customer id (null: unscoped) and returns the
 * payload, or throws ApiError.
 */
function api_main(array $routes, callable $ok, callable $fail, string $dataField): void
{
    try {
        // The signature is checked before the key, so that a stolen key alone gets nowhere.
        $refusal = signature_check();
        if ($refusal !== null) {
            throw new ApiError('auth', $refusal);
        }
        $level = auth_level();
        if ($level === null) {
            throw new ApiError('auth', 'Invalid API key');
        }
        $req = $_REQUEST['req'] ?? null;
        if (!is_string($req) || !isset($routes[$req])) {
            throw invalid('Unknown request');
        }
        [$scope, $handler] = $routes[$req];
        $customerId = null;
        if ($scope === 'admin' && $level !== LEVEL_ADMIN) {
            throw new ApiError('auth', 'Invalid API key');
        }
        if ($scope === 'customer') {
            $customerId = param_id('customer_id');
            if ($customerId === null && $level !== LEVEL_ADMIN) {
                throw invalid('Missing parameter: customer_id');
            }
        }
        $data = $handler($customerId);
        send_json($ok($data), $dataField);
    } catch (ApiError $e) {
        send_json($fail($e->apiCode, $e->getMessage()), null);
    }
}
