<?php
// Checks the gateway's request signatures: RFC 9421 HTTP Message Signatures with
// hmac-sha256, and the body's Content-Digest (RFC 9530) with sha-256. The signature
// base is rebuilt here from the request as PHP received it, so a changed method,
// URL or body no longer matches the MAC. A nonce is accepted once, recorded in a
// SQLite file of its own, because the shop's database is opened read-only.

// Maximum validity window (expires - created) a signature may claim, in seconds.
const SIGNATURE_MAX_WINDOW = 300;
// How far a signature's created time may lie in the future, for clock drift.
const SIGNATURE_CLOCK_SKEW = 5;

// Parses "keyid:base64key,keyid:base64key" into [keyid => raw key], or returns the
// reason the list is invalid.
function signature_parse_keys(string $spec)
{
    $keys = [];
    foreach (explode(',', $spec) as $pair) {
        $pair = trim($pair);
        if ($pair === '') {
            continue;
        }
        $parts = explode(':', $pair, 2);
        if (count($parts) !== 2 || !preg_match('/^[A-Za-z0-9._-]{1,64}$/', $parts[0])) {
            return 'each key must be written as keyid:base64key';
        }
        $raw = base64_decode($parts[1], true);
        if ($raw === false || strlen($raw) < 32) {
            return "each key must be valid base64 of at least 32 bytes";
        }
        $keys[$parts[0]] = $raw;
    }
    if (count($keys) === 0) {
        return 'no key is listed';
    }
    return $keys;
}

// Returns null when the request may go on, or the reason for refusing it. Without
// configured keys nothing is checked. With keys, an unsigned request passes only
// when signatures are not required, and a signature that is present must be valid.
function signature_check(): ?string
{
    global $CONFIG;
    if (count($CONFIG['signing_keys']) === 0) {
        return null;
    }
    $inputField = $_SERVER['HTTP_SIGNATURE_INPUT'] ?? null;
    $signatureField = $_SERVER['HTTP_SIGNATURE'] ?? null;
    if ($inputField === null && $signatureField === null) {
        return $CONFIG['require_signatures'] ? 'Signature required' : null;
    }
    if (!is_string($inputField) || !is_string($signatureField)) {
        return 'Signature invalid: Signature-Input and Signature must both be present';
    }

    $inputs = sf_parse_dictionary($inputField);
    $signatures = sf_parse_dictionary($signatureField);
    if ($inputs === null || $signatures === null) {
        return 'Signature invalid: malformed Signature-Input or Signature field';
    }
    // The first signature that both fields name is the one checked.
    $label = null;
    foreach ($inputs as $name => $_) {
        if (isset($signatures[$name])) {
            $label = $name;
            break;
        }
    }
    if ($label === null) {
        return 'Signature invalid: no signature label is in both fields';
    }
    $input = $inputs[$label];
    $mac = $signatures[$label]['value'];
    if (!is_array($input['value']) || !is_array($mac) || !isset($mac['bytes'])) {
        return 'Signature invalid: malformed signature';
    }

    $body = (string) file_get_contents('php://input');
    $covered = [];
    foreach ($input['value'] as $item) {
        if (!is_string($item['value']) || count($item['params']) > 0) {
            return 'Signature invalid: unsupported component';
        }
        $covered[] = $item['value'];
    }
    $needed = ['@method', '@target-uri'];
    if ($body !== '') {
        $needed[] = 'content-digest';
    }
    foreach ($needed as $component) {
        if (!in_array($component, $covered, true)) {
            return "Signature invalid: $component is not covered";
        }
    }

    $params = $input['params'];
    foreach (['created', 'expires'] as $name) {
        if (!is_int($params[$name] ?? null)) {
            return "Signature invalid: parameter $name is missing";
        }
    }
    foreach (['nonce', 'keyid'] as $name) {
        if (!is_string($params[$name] ?? null) || $params[$name] === '') {
            return "Signature invalid: parameter $name is missing";
        }
    }
    if (array_key_exists('alg', $params) && $params['alg'] !== 'hmac-sha256') {
        return 'Signature invalid: alg must be hmac-sha256';
    }
    $key = $CONFIG['signing_keys'][$params['keyid']] ?? null;
    if ($key === null) {
        return 'Signature invalid: unknown keyid';
    }

    if ($body !== '') {
        $digests = sf_parse_dictionary($_SERVER['HTTP_CONTENT_DIGEST'] ?? '');
        $sha256 = $digests['sha-256']['value'] ?? null;
        if (!is_array($sha256) || !isset($sha256['bytes'])) {
            return 'Signature invalid: Content-Digest has no sha-256 digest';
        }
        if (!hash_equals(hash('sha256', $body, true), $sha256['bytes'])) {
            return 'Signature invalid: Content-Digest does not match the body';
        }
    }

    $base = '';
    foreach ($covered as $component) {
        $value = signature_component($component);
        if ($value === null) {
            return "Signature invalid: component $component is missing from the request";
        }
        $base .= sf_serialize_string($component) . ': ' . $value . "\n";
    }
    $base .= '"@signature-params": ' . sf_serialize_inner_list($input['value'], $params);
    if (!hash_equals(hash_hmac('sha256', $base, $key, true), $mac['bytes'])) {
        return 'Signature invalid: the MAC does not match';
    }

    // Only a valid signature reaches the window and nonce checks, so a caller without a
    // key can neither use up nonces nor fill the nonce table.
    $now = time();
    if ($params['expires'] <= $now) {
        return 'Signature expired';
    }
    if ($params['created'] > $now + SIGNATURE_CLOCK_SKEW) {
        return 'Signature invalid: created lies in the future';
    }
    if ($params['expires'] - $params['created'] > SIGNATURE_MAX_WINDOW) {
        return 'Signature invalid: validity window too long';
    }
    if (!signature_use_nonce($params['nonce'], $params['expires'])) {
        return 'Signature replayed: nonce already used';
    }
    return null;
}

// The value of one covered component, as RFC 9421 section 2 derives it, or null.
function signature_component(string $name): ?string
{
    $scheme = (($_SERVER['HTTPS'] ?? '') !== '' && $_SERVER['HTTPS'] !== 'off') ? 'https' : 'http';
    $host = strtolower((string) ($_SERVER['HTTP_HOST'] ?? ''));
    $uri = (string) ($_SERVER['REQUEST_URI'] ?? '/');
    switch ($name) {
        case '@method':
            return (string) $_SERVER['REQUEST_METHOD'];
        case '@target-uri':
            return "$scheme://$host$uri";
        case '@authority':
            return preg_replace($scheme === 'https' ? '/:443$/' : '/:80$/', '', $host);
        case '@path':
            return (string) parse_url($uri, PHP_URL_PATH);
        case '@query':
            return '?' . (string) ($_SERVER['QUERY_STRING'] ?? '');
    }
    if ($name === '' || $name[0] === '@' || $name !== strtolower($name)) {
        return null;
    }
    $key = strtoupper(str_replace('-', '_', $name));
    $value = $_SERVER['HTTP_' . $key] ?? (in_array($key, ['CONTENT_TYPE', 'CONTENT_LENGTH'], true) ? ($_SERVER[$key] ?? null) : null);
    return is_string($value) ? trim($value) : null;
}

// Records a nonce until its signature expires; false when it was used before.
function signature_use_nonce(string $nonce, int $expires): bool
{
    global $CONFIG;
    static $pdo = null;
    if ($pdo === null) {
        $pdo = new PDO('sqlite:' . $CONFIG['nonce_db'], null, null, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            // Several workers write here; wait for a lock rather than fail.
            PDO::ATTR_TIMEOUT => 5,
        ]);
        $pdo->exec('CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, expires INTEGER NOT NULL)');
    }
    $pdo->prepare('DELETE FROM nonces WHERE expires < ?')->execute([time() - SIGNATURE_CLOCK_SKEW]);
    try {
        $pdo->prepare('INSERT INTO nonces (nonce, expires) VALUES (?, ?)')->execute([$nonce, $expires]);
    } catch (PDOException $e) {
        if ($e->getCode() === '23000') {
            return false;
        }
        throw $e;
    }
    return true;
}

// --- Structured Field Values (RFC 8941), the parts that signatures use ---

// Parses a dictionary into [name => ['value' => item or inner list, 'params' => [...]]],
// or null when the text is not a valid dictionary. An item is a string, an int, a
// bool, ['token' => text] or ['bytes' => raw]; an inner list is a list of
// ['value' => item, 'params' => [...]].
function sf_parse_dictionary(string $text): ?array
{
    $pos = 0;
    $len = strlen($text);
    $dict = [];
    sf_skip($text, $pos, ' ');
    if ($pos === $len) {
        return [];
    }
    while (true) {
        $name = sf_parse_key($text, $pos);
        if ($name === null) {
            return null;
        }
        if ($pos < $len && $text[$pos] === '=') {
            $pos++;
            $member = $pos < $len && $text[$pos] === '('
                ? sf_parse_inner_list($text, $pos)
                : sf_parse_item($text, $pos);
        } else {
            $params = sf_parse_params($text, $pos);
            $member = $params === null ? null : ['value' => true, 'params' => $params];
        }
        if ($member === null) {
            return null;
        }
        $dict[$name] = $member;
        sf_skip($text, $pos, " \t");
        if ($pos === $len) {
            return $dict;
        }
        if ($text[$pos] !== ',') {
            return null;
        }
        $pos++;
        sf_skip($text, $pos, " \t");
        if ($pos === $len) {
            return null;
        }
    }
}

function sf_skip(string $text, int &$pos, string $chars): void
{
    while ($pos < strlen($text) && strpos($chars, $text[$pos]) !== false) {
        $pos++;
    }
}

function sf_parse_key(string $text, int &$pos): ?string
{
    if (!preg_match('/\G[a-z*][a-z0-9_.*-]*/', $text, $m, 0, $pos)) {
        return null;
    }
    $pos += strlen($m[0]);
    return $m[0];
}

function sf_parse_inner_list(string $text, int &$pos): ?array
{
    $pos++; // (
    $items = [];
    while (true) {
        sf_skip($text, $pos, ' ');
        if ($pos >= strlen($text)) {
            return null;
        }
        if ($text[$pos] === ')') {
            $pos++;
            $params = sf_parse_params($text, $pos);
            return $params === null ? null : ['value' => $items, 'params' => $params];
        }
        $item = sf_parse_item($text, $pos);
        if ($item === null) {
            return null;
        }
        $items[] = $item;
        if ($pos < strlen($text) && $text[$pos] !== ' ' && $text[$pos] !== ')') {
            return null;
        }
    }
}

function sf_parse_item(string $text, int &$pos): ?array
{
    $ok = true;
    $value = sf_parse_bare_item($text, $pos, $ok);
    if (!$ok) {
        return null;
    }
    $params = sf_parse_params($text, $pos);
    return $params === null ? null : ['value' => $value, 'params' => $params];
}

function sf_parse_params(string $text, int &$pos): ?array
{
    $params = [];
    while ($pos < strlen($text) && $text[$pos] === ';') {
        $pos++;
        sf_skip($text, $pos, ' ');
        $key = sf_parse_key($text, $pos);
        if ($key === null) {
            return null;
        }
        $value = true;
        if ($pos < strlen($text) && $text[$pos] === '=') {
            $pos++;
            $ok = true;
            $value = sf_parse_bare_item($text, $pos, $ok);
            if (!$ok) {
                return null;
            }
        }
        $params[$key] = $value;
    }
    return $params;
}

function sf_parse_bare_item(string $text, int &$pos, bool &$ok)
{
    $rest = substr($text, $pos);
    if (preg_match('/^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\\\["\\\\])*)"/', $rest, $m)) {
        $pos += strlen($m[0]);
        return preg_replace('/\\\\(["\\\\])/', '$1', $m[1]);
    }
    if (preg_match('/^-?[0-9]{1,15}(?![0-9.])/', $rest, $m)) {
        $pos += strlen($m[0]);
        return (int) $m[0];
    }
    if (preg_match('/^:([A-Za-z0-9+\/=]*):/', $rest, $m)) {
        $raw = base64_decode($m[1], true);
        if ($raw !== false) {
            $pos += strlen($m[0]);
            return ['bytes' => $raw];
        }
    }
    if (preg_match('/^\?([01])/', $rest, $m)) {
        $pos += 2;
        return $m[1] === '1';
    }
    if (preg_match('/^[A-Za-z*][!#$%&\'*+\-.^_`|~0-9A-Za-z:\/]*/', $rest, $m)) {
        $pos += strlen($m[0]);
        return ['token' => $m[0]];
    }
    $ok = false;
    return null;
}

function sf_serialize_string(string $value): string
{
    return '"' . str_replace(['\\', '"'], ['\\\\', '\\"'], $value) . '"';
}

function sf_serialize_bare_item($value): string
{
    if (is_bool($value)) {
        return $value ? '?1' : '?0';
    }
    if (is_int($value)) {
        return (string) $value;
    }
    if (is_string($value)) {
        return sf_serialize_string($value);
    }
    if (isset($value['token'])) {
        return $value['token'];
    }
    return ':' . base64_encode($value['bytes']) . ':';
}

// Serializes an inner list of strings with its parameters, as the @signature-params
// line of the signature base needs it.
function sf_serialize_inner_list(array $items, array $params): string
{
    $parts = [];
    foreach ($items as $item) {
        $parts[] = sf_serialize_bare_item($item['value']);
    }
    $out = '(' . implode(' ', $parts) . ')';
    foreach ($params as $key => $value) {
        $out .= ';' . $key . ($value === true ? '' : '=' . sf_serialize_bare_item($value));
    }
    return $out;
}
