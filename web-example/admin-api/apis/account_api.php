<?php
// Customer accounts: login, profile and profile update.
// Envelope: {"status":"ok","data":...} / {"status":"fail","code":"...","msg":"..."}
if (!defined('ADMIN_API')) {
    http_response_code(404);
    exit;
}
require_once __DIR__ . '/../lib/api.php';
require_once __DIR__ . '/../lib/write.php';

const ACCOUNT_PROFILE_COLUMNS = 'id, name, email, phone, street, postal_code, city, country, version, created, last_login';

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
    $st = db()->prepare('SELECT ' . ACCOUNT_PROFILE_COLUMNS . ' FROM customers WHERE id = ?');
    $st->execute([$customerId]);
    $row = $st->fetch(PDO::FETCH_ASSOC);
    if (!$row) {
        throw new ApiError('not_found', 'Customer not found');
    }
    return $row;
}

// Replaces the customer's name, phone and postal address if `version` is
// still the stored one. A stale version is not an error: the response is
// {"outcome":"conflict","profile":<current>} so the caller can show what
// changed; a write is {"outcome":"updated","profile":<new>}.
function account_update_profile(?int $customerId): array
{
    $customerId = write_customer($customerId);
    $version = param_id('version');
    if ($version === null) {
        throw invalid('Missing parameter: version');
    }
    $fields = [
        'name' => param_text('name', 100, true),
        'phone' => param_text('phone', 30, false),
        'street' => param_text('street', 200, false),
        'postal_code' => param_text('postal_code', 20, false),
        'city' => param_text('city', 100, false),
        'country' => param_text('country', 2, false),
    ];
    if ($fields['phone'] !== '' && !preg_match('#^\+?[0-9][0-9 ()/-]{3,29}$#', $fields['phone'])) {
        throw invalid('Malformed parameter: phone');
    }
    if ($fields['country'] !== '' && !preg_match('/^[A-Z]{2}$/', $fields['country'])) {
        throw invalid('Malformed parameter: country');
    }

    $request = $fields + ['version' => $version];
    return idempotent_write($customerId, 'update_profile', $request, function (PDO $pdo) use ($customerId, $version, $fields) {
        $read = $pdo->prepare('SELECT ' . ACCOUNT_PROFILE_COLUMNS . ' FROM customers WHERE id = ?');
        $read->execute([$customerId]);
        $current = $read->fetch();
        if (!$current) {
            throw new ApiError('not_found', 'Customer not found');
        }
        if ((int) $current['version'] !== $version) {
            return ['outcome' => 'conflict', 'profile' => $current];
        }

        $st = $pdo->prepare('UPDATE customers SET name = ?, phone = ?, street = ?, postal_code = ?, city = ?, country = ?, version = version + 1 WHERE id = ? AND version = ?');
        $st->execute([$fields['name'], $fields['phone'], $fields['street'], $fields['postal_code'], $fields['city'], $fields['country'], $customerId, $version]);
        $read->execute([$customerId]);
        return ['outcome' => 'updated', 'profile' => $read->fetch()];
    });
}

api_main(
    [
        'login' => ['public', fn ($customerId) => account_login()],
        'profile' => ['customer', 'account_profile'],
        'update_profile' => ['customer', 'account_update_profile'],
    ],
    fn ($data) => ['status' => 'ok', 'data' => $data],
    fn ($code, $msg) => ['status' => 'fail', 'code' => $code, 'msg' => $msg],
    'data'
);
