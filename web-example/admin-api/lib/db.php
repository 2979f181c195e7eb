<?php
// One read-only PDO connection to the SQLite file.
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
        ]);
    }
    return $pdo;
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
