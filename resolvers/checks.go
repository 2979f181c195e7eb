package resolvers

import (
	"context"
	"strings"
	"unicode/utf8"

	"customer-gateway/session"
)

// The checks that run before any upstream call: who is asking, and whether an argument is
// worth sending to the back office at all.

// requireIdentity returns the logged-in customer, or UNAUTHENTICATED before any upstream call.
func requireIdentity(ctx context.Context) (*session.Identity, error) {
	id := session.IdentityFrom(ctx)
	if id == nil {
		return nil, errUnauthenticated
	}
	return id, nil
}

// checkID sorts an id argument three ways. An id that is not a decimal number is invalid input
// (BAD_USER_INPUT). A number the back office never issues (zero, leading zeros, more than 18
// digits) names no record, so it is NOT_FOUND without an upstream call, exactly like an id that
// does not exist. Only the rest is worth asking the back office about.
func checkID(id string) error {
	switch {
	case !isDigits(id):
		return badInput("id is not a valid id.")
	case id[0] == '0' || len(id) > 18:
		return errNotFound
	}
	return nil
}

// isDigits reports whether s is a non-empty string of ASCII decimal digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// plausibleCredential reports whether s could be an email or password worth sending to the back
// office: not blank, at most max bytes, valid UTF-8 and without NUL, which PHP's bcrypt would
// silently cut the password at.
func plausibleCredential(s string, max int) bool {
	return strings.TrimSpace(s) != "" && len(s) <= max && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
