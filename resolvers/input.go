package resolvers

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"customer-gateway/graph/model"
	"customer-gateway/upstream"
)

// The checks of the mutations' arguments. The back office checks the same rules again. The
// limits here must stay equal to, or stricter than, those of its write operations, because an
// input it rejects after the gateway accepted it ends as an internal error.

var (
	// idempotencyKeyPattern accepts a UUID, as crypto.randomUUID() makes, and other random keys
	// of 16 to 64 URL-safe characters.
	idempotencyKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
	phonePattern          = regexp.MustCompile(`^\+?[0-9][0-9 ()/-]{3,29}$`)
)

// isCountryCode reports whether code is an assigned ISO 3166-1 alpha-2 country code in
// capitals, such as DE; user-assigned codes such as XX and ZZ are not.
func isCountryCode(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	region, err := language.ParseRegion(code)
	return err == nil && region.IsCountry() && region.String() == code
}

// textRule is the rule of one text argument.
type textRule struct {
	field     string // the argument's path, for extensions.field
	label     string // the argument's name in messages
	max       int    // in characters (Unicode code points)
	required  bool
	multiline bool // line breaks and tabs allowed
}

// check trims value and returns it, or a BAD_USER_INPUT error naming the field.
func (r textRule) check(value string) (string, error) {
	value = strings.TrimSpace(value)
	if r.required && value == "" {
		return "", invalidField(r.field, "%s is required.", r.label)
	}
	if utf8.RuneCountInString(value) > r.max {
		return "", invalidField(r.field, "%s must be at most %d characters long.", r.label, r.max)
	}
	for _, c := range value {
		if !allowedRune(c, r.multiline) {
			return "", invalidField(r.field, "%s contains a character that is not allowed.", r.label)
		}
	}
	return value, nil
}

// allowedRune reports whether c may appear in a text argument. Control characters are rejected
// except line breaks and tabs in multiline text. So are invisible format characters: bidi
// overrides that make text read differently from how it is stored, and zero-width spaces that
// make a name look blank or like another. The joiners U+200C and U+200D stay allowed, because
// Persian, Indic scripts and emoji sequences need them. U+2028 and U+2029 are rejected too,
// because line breaks are plain newlines or nothing.
func allowedRune(c rune, multiline bool) bool {
	switch {
	case c == utf8.RuneError:
		return false
	case c == '\n' || c == '\r' || c == '\t':
		return multiline
	case unicode.IsControl(c), unicode.In(c, unicode.Zl, unicode.Zp):
		return false
	case unicode.Is(unicode.Cf, c):
		return c == '\u200c' || c == '\u200d'
	}
	return true
}

// checkIdempotencyKey checks the idempotencyKey argument of a mutation.
func checkIdempotencyKey(key string) error {
	if !idempotencyKeyPattern.MatchString(key) {
		return invalidField("idempotencyKey", "idempotencyKey must be 16 to 64 letters, digits, hyphens or underscores, such as a UUID.")
	}
	return nil
}

// profileUpdate checks the arguments of updateProfile and returns the update to send.
func profileUpdate(in model.UpdateProfileInput) (upstream.ProfileUpdate, error) {
	u := upstream.ProfileUpdate{Version: in.Version}
	if in.Version < 1 {
		return u, invalidField("input.version", "version must be the profile's version, 1 or more.")
	}
	var err error
	if u.Name, err = (textRule{"input.name", "Name", 100, true, false}).check(in.Name); err != nil {
		return u, err
	}
	if u.Phone, err = (textRule{"input.phone", "Phone", 30, false, false}).check(in.Phone); err != nil {
		return u, err
	}
	if u.Phone != "" && !phonePattern.MatchString(u.Phone) {
		return u, invalidField("input.phone", "Phone must be 4 to 30 digits, spaces or the characters + ( ) / -, starting with a digit or +.")
	}

	if in.Address == nil {
		return u, invalidField("input.address", "Address is required.")
	}
	if u.Street, err = (textRule{"input.address.street", "Street", 200, false, false}).check(in.Address.Street); err != nil {
		return u, err
	}
	if u.PostalCode, err = (textRule{"input.address.postalCode", "Postal code", 20, false, false}).check(in.Address.PostalCode); err != nil {
		return u, err
	}
	if u.City, err = (textRule{"input.address.city", "City", 100, false, false}).check(in.Address.City); err != nil {
		return u, err
	}
	u.Country = strings.TrimSpace(in.Address.Country)
	if u.Country != "" && !isCountryCode(u.Country) {
		return u, invalidField("input.address.country", "Country must be a two-letter code in capitals, such as DE.")
	}
	return u, nil
}

// newTicket checks the arguments of openTicket and returns the subject and message to send.
func newTicket(in model.OpenTicketInput) (subject, message string, err error) {
	if subject, err = (textRule{"input.subject", "Subject", 150, true, false}).check(in.Subject); err != nil {
		return "", "", err
	}
	if message, err = (textRule{"input.message", "Message", 5000, true, true}).check(in.Message); err != nil {
		return "", "", err
	}
	return subject, message, nil
}

// ticketReply checks the arguments of replyToTicket and returns the ticket id and message.
func ticketReply(in model.ReplyToTicketInput) (ticketID, message string, err error) {
	if !isDigits(in.TicketID) {
		return "", "", invalidField("input.ticketId", "ticketId is not a valid ticket id.")
	}
	if err := checkID(in.TicketID); err != nil {
		return "", "", err
	}
	if message, err = (textRule{"input.message", "Message", 5000, true, true}).check(in.Message); err != nil {
		return "", "", err
	}
	return in.TicketID, message, nil
}
