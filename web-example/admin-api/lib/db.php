<?php
// One read-only PDO connection to the SQLite file for reads, and a separate
// read-write connection, opened only by the operations that write.
// ATTR_STRINGIFY_FETCHES makes every number come back as a string, as the
// legacy MySQL driver did. The default fetch mode stays PDO's own FETCH_BOTH,
// so a bare fetch() also returns numeric keys beside the named columns;
// most queries ask for FETCH_ASSOC, a few (as in the old code) do not.

function db(): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        global $CONFIG;
        $pdo = new PDO('sqlite:' . $CONFIG['db'], null, null, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_STRINGIFY_FETCHES => true,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_BOTH,
            PDO::SQLITE_ATTR_OPEN_FLAGS => PDO::SQLITE_OPEN_READONLY,
            // Wait for a writer's lock instead of failing with "database is locked".
            PDO::ATTR_TIMEOUT => 5,
        ]);
    }
    return $pdo;
}

// The read-write connection. Writes run inside db_write_transaction, so
// several PHP workers never interleave a read-check-write sequence.
function db_write(): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        global $CONFIG;
        $pdo = new PDO('sqlite:' . $CONFIG['db'], null, null, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_STRINGIFY_FETCHES => true,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            PDO::ATTR_TIMEOUT => 5,
        ]);
    }
    return $pdo;
}

// Runs $work($pdo) in one transaction and returns its result. BEGIN IMMEDIATE
// takes the write lock before the first read, so two workers that check the
// same row (a version, an idempotency key) run one after the other, never
// both on the same old state. Anything $work throws rolls the whole write back.
function db_write_transaction(callable $work)
{
    $pdo = db_write();
    $pdo->exec('BEGIN IMMEDIATE');
    try {
        $result = $work($pdo);
        $pdo->exec('COMMIT');
        return $result;
    } catch (Throwable $e) {
        $pdo->exec('ROLLBACK');
        throw $e;
    }
}

// "?,?,?" for an IN (...) list.
function db_placeholders(array $values): string
{
    return implode(',', array_fill(0, count($values), '?'));
}

// SQL expression that formats integer cents as a decimal string "123.40".
function db_money(string $column): string
{
    return "printf('%d.%02d', $column / 100, $column % 100)";
}
