<?php
// TEST-ONLY fault modes, loaded by router.php only when ADMIN_API_TEST_FAULTS=1.
// They let the gateway's tests check how it copes with a misbehaving back office.
//
// On every request the JSON file named by ADMIN_API_FAULT_FILE is read. It maps
// an API file name (e.g. "order_api.php") or "*" (every file) to a mode:
//   notice     a PHP warning in HTML (display_errors + html_errors), then the JSON
//   bom        a UTF-8 BOM and a newline before the JSON
//   html502    an nginx-like HTML 502 page with status 502
//   empty500   status 500, empty body, Content-Type application/json
//   empty200   status 200, empty body (as when json_encode fails)
//   truncated  the first half of the JSON, then the connection ends
//   slow:MS    sleep MS milliseconds, then answer normally
//   key_echo   the received key is added to the answer's data as "debug_key"
//   key_field:NAME  the received key replaces the value of the data's field NAME, such as name
//   key_prefix:NAME the first 20 bytes of the key, then " Example", replace the field NAME
//   key_double_json:NAME  json_encode of the key replaces the field NAME, so the body contains
//                   the key JSON-encoded twice (/ as \\\/)
//   key_uescape:NAME  the key replaces the field NAME, with its first character written \u00XX
//   key_base64:NAME the field NAME contains base64_encode("gateway:" . key), as in a debug dump
//   key_prefix_msg  a failure whose message quotes the first 20 bytes of the key in a sentence
//   key_truncated   key_echo, then the connection ends in the middle of the echoed key
//   key_clip   a PHP warning that puts the received key across byte 512 of the body, then the JSON
//   key_request     a failure whose message quotes the raw request body, key URL-encoded
//   none       no fault (handy to switch one file off while "*" is set)
// A missing or unreadable file, or a file without an entry, means no fault.

$FAULT_MODE = null;

function faults_mode_for(string $file): ?string
{
    $path = (string) getenv('ADMIN_API_FAULT_FILE');
    if ($path === '' || !is_file($path)) {
        return null;
    }
    $map = json_decode((string) file_get_contents($path), true);
    if (!is_array($map)) {
        error_log("admin-api: fault file $path is not a JSON object; no fault applied");
        return null;
    }
    $mode = $map[$file] ?? $map['*'] ?? null;
    return is_string($mode) && $mode !== '' ? $mode : null;
}

// Before the API file runs: modes that replace the answer, or delay it.
function faults_begin(string $file): void
{
    global $FAULT_MODE;
    $FAULT_MODE = faults_mode_for($file);
    if ($FAULT_MODE === null || $FAULT_MODE === 'none') {
        $FAULT_MODE = null;
        return;
    }
    if (preg_match('/^slow:(\d{1,6})$/', $FAULT_MODE, $m)) {
        usleep((int) $m[1] * 1000);
        return;
    }
    if (preg_match('/^key_(field|prefix|double_json|uescape|base64):[a-z_]+$/', $FAULT_MODE)) {
        return; // applied when the response is written
    }
    switch ($FAULT_MODE) {
        case 'html502':
            http_response_code(502);
            header('Content-Type: text/html');
            header('Server: nginx');
            echo "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                . "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                . "</body>\r\n</html>\r\n";
            exit;
        case 'empty500':
            http_response_code(500);
            header('Content-Type: application/json');
            exit;
        case 'notice':
        case 'bom':
        case 'empty200':
        case 'truncated':
        case 'key_echo':
        case 'key_truncated':
        case 'key_clip':
        case 'key_request':
        case 'key_prefix_msg':
            return; // applied when the answer is written
        default:
            error_log("admin-api: unknown fault mode '$FAULT_MODE' ignored");
            $FAULT_MODE = null;
    }
}

// Writes the answer under the current fault mode (called by send_json).
function faults_send(array $payload, ?string $dataField): void
{
    global $FAULT_MODE;
    if (preg_match('/^key_(field|prefix|double_json|uescape|base64):([a-z_]+)$/', (string) $FAULT_MODE, $m)) {
        echo faults_key_in_field($payload, $dataField, $m[1], $m[2], auth_received_key());
        return;
    }
    switch ($FAULT_MODE) {
        case 'notice':
            faults_real_warning();
            echo json_encode($payload);
            return;
        case 'bom':
            echo "\xEF\xBB\xBF\n" . json_encode($payload);
            return;
        case 'empty200':
            echo '';
            return;
        case 'truncated':
            $json = json_encode($payload);
            echo substr($json, 0, intdiv(strlen($json), 2));
            flush();
            exit;
        case 'key_echo':
            $key = auth_received_key();
            if ($dataField !== null && is_array($payload[$dataField] ?? null)) {
                $payload[$dataField]['debug_key'] = $key;
            } else {
                $payload['debug_key'] = $key;
            }
            echo json_encode($payload);
            return;
        case 'key_truncated':
            // json_encode writes / as \/, so the key is looked up in its escaped form.
            $key = auth_received_key();
            $payload['debug_key'] = $key;
            $json = json_encode($payload);
            $escaped = substr(json_encode($key), 1, -1);
            echo substr($json, 0, strpos($json, $escaped) + intdiv(strlen($escaped), 2));
            flush();
            exit;
        case 'key_clip':
            $warning = "<br />\n<b>Warning</b>:  ";
            echo $warning . str_repeat('w', 500 - strlen($warning)) . auth_received_key() . "<br />\n";
            echo json_encode($payload);
            return;
        case 'key_request':
            echo json_encode(['status' => 'fail', 'code' => 'invalid',
                'msg' => 'cannot parse request: ' . file_get_contents('php://input')]);
            return;
        case 'key_prefix_msg':
            echo json_encode(['status' => 'fail', 'code' => 'invalid',
                'msg' => 'bad key ' . substr(auth_received_key(), 0, 20) . ' for customer']);
            return;
        default:
            echo json_encode($payload);
    }
}

// Returns the JSON of $payload with the data's field $name replaced by the key in the form
// $how names (see the key_*:NAME modes above). A payload without that field is left as it is.
function faults_key_in_field(array $payload, ?string $dataField, string $how, string $name, string $key): string
{
    if ($dataField === null || !is_array($payload[$dataField] ?? null) || !array_key_exists($name, $payload[$dataField])) {
        return json_encode($payload);
    }
    $placeholder = 'FAULT-PLACEHOLDER-' . bin2hex(random_bytes(8));
    $value = match ($how) {
        'field' => $key,
        'prefix' => substr($key, 0, 20) . ' Example',
        'double_json' => json_encode($key),
        'base64' => base64_encode('gateway:' . $key),
        'uescape' => $placeholder,
    };
    $payload[$dataField][$name] = $value;
    $json = json_encode($payload);
    if ($how === 'uescape') {
        $escaped = substr(json_encode($key), 1, -1);
        $json = str_replace($placeholder, sprintf('\\u%04x', ord($key[0])) . substr($escaped, 1), $json);
    }
    return $json;
}

// A genuine PHP warning, shown the way display_errors=1 with html_errors=1
// shows it on a misconfigured production server.
function faults_real_warning(): void
{
    $display = ini_set('display_errors', '1');
    $html = ini_set('html_errors', '1');
    $legacy = [];
    $flag = $legacy['legacy_flag'];
    ini_set('display_errors', (string) $display);
    ini_set('html_errors', (string) $html);
}
