package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// maxSnippet is how much of an undecodable body is kept for the log.
const maxSnippet = 512

// maxMessage bounds the back office's own error text kept in Error.Message.
const maxMessage = 512

// utf8BOM is the byte order mark that an included PHP file saved with one prints before the
// JSON.
var utf8BOM = []byte("\xEF\xBB\xBF")

// leadingSpace is the whitespace stripped around the JSON value: JSON's own, plus the vertical
// tab and form feed that PHP's trim also removes.
const leadingSpace = " \t\r\n\v\f"

// DecodeResponse checks an HTTP response of the back office and decodes its payload into payload
// (a pointer). It returns nil or an *Error with Status set and API and Op empty, for the
// caller to fill in.
//
// The checks run in this order:
//  1. A status of 401 or 403 is ErrKeyRefused, 408 or 504 is ErrTimeout, and any other status
//     outside 2xx is ErrFault.
//  2. A leading UTF-8 byte order mark and whitespace are skipped. An empty body is ErrFault,
//     also with status 200, because that is what PHP sends when json_encode fails.
//  3. A body that does not start with { or [ is ErrFault. That covers a PHP notice or warning
//     printed before the JSON, "Fatal error: ..." and HTML error pages. No JSON is salvaged
//     after a notice, because the notice usually explains a wrong value in it.
//  4. Invalid or truncated JSON, and anything but whitespace after the JSON value, is ErrFault.
//  5. A top-level array is ErrFault, because every file of the back office wraps its responses
//     in an object.
//  6. A failure envelope, checked before the payload, gives the category of its "code": "auth"
//     is ErrKeyRefused, "invalid" ErrInvalidInput, "not_found" ErrNotFound, "login_failed"
//     ErrLoginFailed, "key_reused" ErrKeyReused, and any other code, or none, ErrFault. See
//     failureOf for what counts as a failure. Message is taken from "msg", "message" or a string "error".
//  7. Otherwise the payload is the "data" member, or the "result" member when there is no
//     "data". An envelope with neither is ErrFault, and so is a payload that does not fit
//     payload; the cause names the field.
//
// Snippet contains the start of the body as received, at most maxSnippet bytes, for statuses
// outside 2xx and for bodies that failed a check of steps 2 to 5 or 7. An application error
// from an envelope has a Message instead.
//
// payload is written only on success, and then replaced as a whole: it never keeps a half
// decoded value, and values it held before are not merged in. A JSON null payload leaves the
// zero value. A nil payload skips decoding, for callers that only need the outcome. Any other
// value that is not a non-nil pointer gives an ErrFault whose cause names the mistake.
// DecodeResponse never panics, whatever the status and body.
//
// A successful response is decoded by decodeFast, which reads the envelope once and the
// payload once more. Every other response, and every one that decodeFast gives up on, goes
// through decodeExact, so every error comes from decodeExact.
func DecodeResponse(status int, body []byte, payload any) error {
	return decodeResponse(status, body, payload, nil)
}

// decodeResponse is DecodeResponse with the secrets of redactor masked in Snippet and Message
// before they are clipped. A nil redactor masks nothing.
func decodeResponse(status int, body []byte, payload any, redactor *Redactor) error {
	if decodeFast(status, body, payload) {
		return nil
	}
	return decodeExact(status, body, payload, redactor)
}

// decodeExact runs every check of DecodeResponse in the documented order.
func decodeExact(status int, body []byte, payload any, redactor *Redactor) error {
	if status < 200 || status > 299 {
		return &Error{Category: statusCategory(status), Status: status, Snippet: redactor.clip(body, maxSnippet)}
	}

	text := trimLeading(body)
	if len(text) == 0 {
		return decodeFault(status, body, errors.New("empty body"), redactor)
	}
	if text[0] != '{' && text[0] != '[' {
		return decodeFault(status, body, errors.New("body does not start with a JSON object or array"), redactor)
	}

	// Decoder, unlike Unmarshal, stops after the first value, so trailing data is checked
	// separately.
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var top json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return decodeFault(status, body, fmt.Errorf("invalid JSON: %w", err), redactor)
	}
	if offset := dec.InputOffset(); len(bytes.Trim(text[offset:], leadingSpace)) > 0 {
		atByte := int64(len(body)-len(text)) + offset
		return decodeFault(status, body, fmt.Errorf("invalid JSON: unexpected data after the value at byte %d", atByte), redactor)
	}
	if top[0] == '[' {
		return decodeFault(status, body, errors.New("top-level JSON array instead of an envelope object"), redactor)
	}

	var envelope map[string]json.RawMessage
	if err := decodeValue(top, &envelope); err != nil {
		return decodeFault(status, body, fmt.Errorf("invalid JSON: %w", err), redactor)
	}
	if err := failureOf(status, envelope, redactor); err != nil {
		return err
	}

	raw, ok := envelope["data"]
	if !ok {
		raw, ok = envelope["result"]
	}
	if !ok {
		return decodeFault(status, body, errors.New(`envelope has neither "data" nor "result"`), redactor)
	}
	if err := decodePayload(raw, payload); err != nil {
		return decodeFault(status, body, fmt.Errorf("decode payload: %w", err), redactor)
	}
	return nil
}

// statusCategory maps an HTTP status outside 2xx to a category.
func statusCategory(status int) error {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrKeyRefused
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return ErrTimeout
	}
	return ErrFault
}

// decodeFault returns the ErrFault for a body that could not be decoded.
func decodeFault(status int, body []byte, cause error, redactor *Redactor) *Error {
	return &Error{Category: ErrFault, Status: status, Snippet: redactor.clip(body, maxSnippet), Err: cause}
}

// trimLeading skips byte order marks and whitespace at the start of body, in any order,
// because several included files may each print either.
func trimLeading(body []byte) []byte {
	for {
		trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), leadingSpace)
		if len(trimmed) == len(body) {
			return body
		}
		body = trimmed
	}
}

// failureOf returns the *Error of a failure envelope, or nil when the envelope is not one.
// An envelope is a failure when any of these holds:
//   - "error" is truthy in PHP's sense: a non-empty string other than "0", true, a non-zero
//     number, or a non-empty array or object;
//   - "status" is the string "fail", "failed", "error" or "ko", in any letter case;
//   - "success" is false, null, a zero number, an empty array or object, or the string "",
//     "0" or "false" in any letter case.
//
// When "code" is absent and "error" is an object, the object's own "code", "message" and
// "msg" members are used.
func failureOf(status int, envelope map[string]json.RawMessage, redactor *Redactor) *Error {
	failed := false
	if raw, ok := envelope["error"]; ok && phpTruthy(raw) {
		failed = true
	}
	if text, ok := jsonString(envelope["status"]); ok {
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "fail", "failed", "error", "ko":
			failed = true
		}
	}
	if raw, ok := envelope["success"]; ok && successIsFalse(raw) {
		failed = true
	}
	if !failed {
		return nil
	}

	// An "error" object may carry the code and message itself.
	inner := map[string]json.RawMessage{}
	if raw := envelope["error"]; len(raw) > 0 && raw[0] == '{' {
		if err := decodeValue(raw, &inner); err != nil {
			inner = map[string]json.RawMessage{}
		}
	}

	code, ok := scalarText(envelope["code"])
	if !ok {
		code, _ = scalarText(inner["code"])
	}
	message := firstString(envelope["msg"], envelope["message"], envelope["error"], inner["message"], inner["msg"])
	return &Error{
		Category: codeCategory(code),
		Status:   status,
		Message:  redactor.clip([]byte(message), maxMessage),
	}
}

// codeCategory maps the "code" of a failure envelope to a category.
func codeCategory(code string) error {
	switch strings.ToLower(strings.TrimSpace(code)) {
	case "auth":
		return ErrKeyRefused
	case "invalid":
		return ErrInvalidInput
	case "not_found":
		return ErrNotFound
	case "login_failed":
		return ErrLoginFailed
	case "key_reused":
		return ErrKeyReused
	case "closed":
		return ErrClosed
	}
	return ErrFault
}

// phpTruthy reports whether a JSON value would be true in a PHP if statement. An empty object
// counts as false as well, because json_encode writes {} for an empty array under
// JSON_FORCE_OBJECT.
func phpTruthy(raw json.RawMessage) bool {
	v, err := readScalar(raw)
	if err != nil {
		return false
	}
	switch v.kind {
	case kindBool:
		return v.text == "true"
	case kindNumber:
		n, ok := parseNumber(v.text, true)
		return ok && n.digits != ""
	case kindString:
		return v.text != "" && v.text != "0"
	case kindArray, kindObject:
		return !isEmptyContainer(raw)
	}
	return false
}

// successIsFalse reports whether a "success" member marks the call as failed.
func successIsFalse(raw json.RawMessage) bool {
	v, err := readScalar(raw)
	if err != nil {
		return false
	}
	switch v.kind {
	case kindNull:
		return true
	case kindBool:
		return v.text == "false"
	case kindNumber:
		n, ok := parseNumber(v.text, true)
		return ok && n.digits == ""
	case kindString:
		switch strings.ToLower(strings.TrimSpace(v.text)) {
		case "", "0", "false":
			return true
		}
		return false
	case kindArray, kindObject:
		return isEmptyContainer(raw)
	}
	return false
}

// isEmptyContainer reports whether raw is [] or {}, with any whitespace inside.
func isEmptyContainer(raw json.RawMessage) bool {
	inside := bytes.TrimSpace(raw)
	if len(inside) < 2 {
		return false
	}
	return len(bytes.TrimSpace(inside[1:len(inside)-1])) == 0
}

// jsonString returns the value of a JSON string, and false for any other value or none.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	v, err := readScalar(raw)
	if err != nil || v.kind != kindString {
		return "", false
	}
	return v.text, true
}

// scalarText returns a JSON string's value or a number's text, and false for anything else.
func scalarText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	v, err := readScalar(raw)
	if err != nil || v.kind != kindString && v.kind != kindNumber {
		return "", false
	}
	return v.text, true
}

// firstString returns the first non-empty JSON string among raws.
func firstString(raws ...json.RawMessage) string {
	for _, raw := range raws {
		if text, ok := jsonString(raw); ok && strings.TrimSpace(text) != "" {
			return text
		}
	}
	return ""
}

// decodePayload decodes raw into a new value of payload's element type and stores it in
// payload only when decoding succeeds.
func decodePayload(raw json.RawMessage, payload any) error {
	if payload == nil {
		return nil
	}
	target := reflect.ValueOf(payload)
	if target.Kind() != reflect.Pointer || target.IsNil() {
		return fmt.Errorf("payload must be a non-nil pointer, not %T", payload)
	}

	fresh := reflect.New(target.Type().Elem())
	if err := decodeValue(raw, fresh.Interface()); err != nil {
		return err
	}
	target.Elem().Set(fresh.Elem())
	return nil
}
