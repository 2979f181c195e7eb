<?php
// Helpers of the operations that write: text parameters with length limits,
// and idempotency keys, so that a retried write returns the first response
// instead of writing a second time.

require_once __DIR__ . '/api.php';

// A text parameter, trimmed, of at most $max characters (not bytes).
// Absent is '' unless $required, and then it is `invalid`. Line breaks and
// tabs are accepted only when $multiline; other control characters never.
function param_text(string $name, int $max, bool $required, bool $multiline = false): string
{
    $value = param_string($name);
    $value = $value === null ? '' : trim($value);
    if ($required && $value === '') {
        throw invalid("Missing parameter: $name");
    }
    // preg_match with /u fails on invalid UTF-8; PCRE is always built in,
    // unlike mbstring.
    if (preg_match('//u', $value) !== 1 || preg_match('/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/', $value)) {
        throw invalid("Malformed parameter: $name");
    }
    if (!$multiline && preg_match('/[\t\r\n]/', $value)) {
        throw invalid("Malformed parameter: $name");
    }
    if (preg_match('/^.{0,' . $max . '}$/us', $value) !== 1) {
        throw invalid("Parameter too long: $name (at most $max characters)");
    }
    return $value;
}

// The customer every write is scoped to. Writes never run unscoped, not even
// with the admin key.
function write_customer(?int $customerId): int
{
    if ($customerId === null) {
        throw invalid('Missing parameter: customer_id');
    }
    return $customerId;
}

// Runs $work($pdo) once per idempotency key and customer, in one transaction
// with the stored response. A repeated key with the same operation and
// parameters returns the stored response without running $work; a repeated key
// with anything else is `key_reused`. An ApiError thrown by $work is not
// stored, so a retry after a refused write tries again.
function idempotent_write(int $customerId, string $operation, array $request, callable $work): array
{
    $key = param_required('idempotency_key');
    if (!preg_match('/^[A-Za-z0-9_-]{16,64}$/', $key)) {
        throw invalid('Malformed parameter: idempotency_key');
    }
    $hash = hash('sha256', $operation . "\n" . json_encode($request));

    return db_write_transaction(function (PDO $pdo) use ($customerId, $operation, $key, $hash, $work) {
        $st = $pdo->prepare('SELECT operation, request_hash, response FROM idempotency_keys WHERE customer_id = ? AND idem_key = ?');
        $st->execute([$customerId, $key]);
        $seen = $st->fetch();
        if ($seen) {
            if ($seen['operation'] !== $operation || !hash_equals($seen['request_hash'], $hash)) {
                throw new ApiError('key_reused', 'Idempotency key already used for another request');
            }
            return json_decode($seen['response'], true);
        }

        $result = $work($pdo);
        $st = $pdo->prepare('INSERT INTO idempotency_keys (customer_id, idem_key, operation, request_hash, response, created) VALUES (?, ?, ?, ?, ?, ?)');
        $st->execute([$customerId, $key, $operation, $hash, json_encode($result), date('Y-m-d H:i:s')]);
        return $result;
    });
}
