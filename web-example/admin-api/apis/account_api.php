<?php
// Customer accounts: login and profile.
// Envelope: {"status":"ok","data":...} / {"status":"fail","code":"...","msg":"..."}
if (!defined('ADMIN_API')) {
    http_response_code(404);
    exit;
}
require_once __DIR__ . '/../lib/api.php';

// Checked when the email is unknown, so that both failures take as long.
const ACCOUNT_DUMMY_HASH = '$2y$10$XVa07G3UVEImhoVUZhYs.eagG.rIO.pllKKjG1/Fp3WDq/ohBPEoG';

function account_login(): array
{
    $email = trim(param_required('email'));
    $password = param_required('password');

    $st = db()->prepare('SELECT id, name, email, password_hash FROM customers WHERE email = ? COLLATE NOCASE');
    $st->execute([$email]);
    $row = $st->fetch(PDO::FETCH_ASSOC);

    $hash = $row ? $row['password_hash'] : ACCOUNT_DUMMY_HASH;
    $matches = password_verify($password, $hash);
    if (!$row || !$matches) {
        throw new ApiError('login_failed', 'Wrong email or password');
    }
    return [
        'customer_id' => $row['id'],
        'name' => $row['name'],
        'email' => $row['email'],
    ];
}

function account_profile(?int $customerId): array
{
    if ($customerId === null) {
        throw invalid('Missing parameter: customer_id');
    }
    $st = db()->prepare('SELECT id, name, email, phone, created, last_login FROM customers WHERE id = ?');
    $st->execute([$customerId]);
    $row = $st->fetch(PDO::FETCH_ASSOC);
    if (!$row) {
        throw new ApiError('not_found', 'Customer not found');
    }
    return $row;
}

api_main(
    [
        'login' => ['public', fn ($customerId) => account_login()],
        'profile' => ['customer', 'account_profile'],
    ],
    fn ($data) => ['status' => 'ok', 'data' => $data],
    fn ($code, $msg) => ['status' => 'fail', 'code' => $code, 'msg' => $msg],
    'data'
);
