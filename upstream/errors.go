package upstream

import (
	"errors"
	"strconv"
	"strings"
)

// Category errors, matched with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalidInput = errors.New("invalid input")
	ErrKeyRefused   = errors.New("key refused")
	ErrLoginFailed  = errors.New("login failed")
	ErrFault        = errors.New("upstream fault")
	ErrTimeout      = errors.New("upstream timed out")
	ErrCircuitOpen  = errors.New("circuit open")
	// ErrOutcomeUnknown is a write whose request was sent but whose response never arrived
	// whole: the back office may or may not have applied it.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrKeyReused is a write whose idempotency key the back office already stored for
	// another operation or other parameters.
	ErrKeyReused = errors.New("idempotency key reused")
	// ErrConflict is a write refused because the record changed since the caller read it.
	ErrConflict = errors.New("conflict")
	// ErrClosed is a write refused because the record no longer accepts changes, such as a
	// reply to a closed ticket.
	ErrClosed = errors.New("record closed")
	// ErrBudgetExceeded means the GraphQL request has used up its budget of upstream calls,
	// so the call was not sent.
	ErrBudgetExceeded = errors.New("upstream call budget exceeded")
)

// errSecretEchoed is the cause of an ErrFault whose response contains the API key or a
// signing key.
var errSecretEchoed = errors.New("the back office echoed the API key or a signing key")

// Error is a failed upstream call. Its text is for the log only, never for a customer:
// it may contain the back office's file and operation names and its own error text.
type Error struct {
	Category error  // one of the Err* values above; never nil
	API      string // file name, for example "order_api.php"; set by the caller, may be empty in decode
	Op       string // the req value; set by the caller
	Status   int    // HTTP status, 0 when there was no response
	Message  string // the back office's own error text from the envelope, if any
	Snippet  string // the first 512 bytes of a body that could not be decoded or came with a status outside 2xx, with invalid UTF-8 replaced
	Err      error  // the underlying cause, may be nil
}

// Error formats e on one line, for example
// `order_api.php get: upstream fault: status 502: "no database": unexpected EOF`.
// It leaves out the parts that are not set: API and Op, a zero Status, an empty Message
// and a nil Err. The message is quoted, and line breaks in the cause become spaces, so
// that back-office text cannot start a new log line. The snippet is not part of the text.
func (e *Error) Error() string {
	var b strings.Builder
	if e.API != "" || e.Op != "" {
		b.WriteString(strings.TrimSpace(e.API + " " + e.Op))
		b.WriteString(": ")
	}

	if e.Category != nil {
		b.WriteString(e.Category.Error())
	} else {
		b.WriteString("upstream error")
	}
	if e.Status != 0 {
		b.WriteString(": status ")
		b.WriteString(strconv.Itoa(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Message))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(oneLine(e.Err.Error()))
	}
	return b.String()
}

// Unwrap returns the category and the cause, so that errors.Is matches either.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Category != nil {
		errs = append(errs, e.Category)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// oneLine replaces carriage returns and line feeds with spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// mismatch returns the fault of a row that the back office filed under the id the gateway
// requested but whose own field names another record, or none. Such a row is not the record
// that was requested. The message contains only the two ids, which the ID type limits to
// digits, so no record contents reach the log.
func mismatch(api, op, requested, field string, got ID) *Error {
	named := string(got)
	if named == "" {
		named = "none"
	}
	return &Error{Category: ErrFault, API: api, Op: op,
		Message: "row for " + requested + " names " + field + " " + named}
}

// checkRowIDs returns a mismatch fault for the first id among requested whose row in rows
// names another record in the field that rowID reads. It also returns one for a row under
// another key, such as a JSON list's index, that names a requested record, which would
// otherwise look missing. Other rows under keys that were not requested are not checked.
func checkRowIDs[R any](api, op, field string, requested []string, rows map[string]R, rowID func(*R) ID) error {
	requestedIDs := make(map[ID]bool, len(requested))
	for _, id := range requested {
		requestedIDs[ID(id)] = true
		row, ok := rows[id]
		if !ok {
			continue
		}
		if got := rowID(&row); got != ID(id) {
			return mismatch(api, op, id, field, got)
		}
	}

	for key, row := range rows {
		if got := rowID(&row); requestedIDs[got] && got != ID(key) {
			return misfiled(api, op, field, got)
		}
	}
	return nil
}

// misfiled returns the fault of a row that names a requested record but is filed under a key
// that was not requested, where the record would look missing. The message leaves out the
// key, which is the back office's text of any length.
func misfiled(api, op, field string, got ID) *Error {
	return &Error{Category: ErrFault, API: api, Op: op,
		Message: "row under a key that was not requested names " + field + " " + string(got)}
}

// checkUniqueIDs returns a fault when two rows of one list name the same id in the field that
// rowID reads. The two rows may differ, and the gateway cannot tell which one is the record.
func checkUniqueIDs[R any](api, op, field string, rows []R, rowID func(*R) ID) error {
	seen := make(map[ID]bool, len(rows))
	for i := range rows {
		id := rowID(&rows[i])
		if seen[id] {
			return &Error{Category: ErrFault, API: api, Op: op,
				Message: "list names " + field + " " + string(id) + " twice"}
		}
		seen[id] = true
	}
	return nil
}
