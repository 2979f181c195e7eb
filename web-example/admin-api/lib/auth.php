<?php
// API key check. The key comes as the `key` parameter or the X-Api-Key header.
// Both configured keys are compared with hash_equals.

const LEVEL_FRONT = 'front';
const LEVEL_ADMIN = 'admin';

function auth_received_key(): string
{
    $key = $_REQUEST['key'] ?? null;
    if (is_string($key) && $key !== '') {
        return $key;
    }
    $header = $_SERVER['HTTP_X_API_KEY'] ?? null;
    if (is_string($header) && $header !== '') {
        return $header;
    }
    return '';
}

// LEVEL_ADMIN, LEVEL_FRONT, or null for a missing or wrong key.
function auth_level(): ?string
{
    global $CONFIG;
    $key = auth_received_key();
    if ($key === '') {
        return null;
    }
    $isAdmin = hash_equals($CONFIG['admin_key'], $key);
    $isFront = hash_equals($CONFIG['front_key'], $key);
    if ($isAdmin) {
        return LEVEL_ADMIN;
    }
    if ($isFront) {
        return LEVEL_FRONT;
    }
    return null;
}
