package upstream

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The types in this file decode the values the back office's json_encode writes. The same
// column may arrive as a string or as a number depending on the PHP version and the database
// driver, "nothing" arrives as "", null or false, and an empty or gappy PHP array changes its
// JSON shape. Each type accepts those forms and rejects, with a *json.UnmarshalTypeError, what
// it cannot represent exactly, so that encoding/json names the struct field that failed.
// Numbers are read from their text, never through float64. Object keys that no struct field
// names are ignored, which also drops the numeric duplicates of PDO's default fetch mode.

// ID is a record id in decimal digits. The zero value "" means absent.
//
// It accepts a JSON string of digits or a JSON integer, up to the maximum uint64 value (the
// largest MySQL BIGINT UNSIGNED), without rounding. The text is kept as given, so a string
// with leading zeros keeps them; PHP ids have none. "", null and false decode to "".
// Negative, fractional and exponent forms are rejected, which also rejects the float that
// PHP writes for an integer beyond PHP_INT_MAX (9.223372036854776e+18).
type ID string

// UnmarshalJSON implements json.Unmarshaler.
func (id *ID) UnmarshalJSON(data []byte) error {
	v, err := readScalar(data)
	if err != nil {
		return err
	}
	return id.setScalar(v)
}

// setScalar sets the value from v, as read by readScalar.
func (id *ID) setScalar(v scalar) error {
	switch {
	case v.isNull(), v.isFalse(), v.kind == kindString && v.text == "":
		*id = ""
		return nil
	case v.kind == kindString || v.kind == kindNumber:
		if isDigits(v.text) {
			if _, err := strconv.ParseUint(v.text, 10, 64); err == nil {
				*id = ID(v.text)
				return nil
			}
		}
	}
	return v.typeError(reflect.TypeFor[ID]())
}

// Int is an integer that PHP may have written as a number or as a string.
//
// It accepts a JSON number or a string of an optional sign, digits, an optional fraction and
// an optional exponent, as long as the value is a whole number within int64. So "10.0", 10.0
// and 1.0e+15 are accepted, because PHP may print a whole float that way, while 10.5 is
// rejected. "", null and false decode to 0 and true to 1.
// Strings with spaces or other text, such as "7abc", are rejected.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(data []byte) error {
	v, err := readScalar(data)
	if err != nil {
		return err
	}
	return n.setScalar(v)
}

// setScalar sets the value from v, as read by readScalar.
func (n *Int) setScalar(v scalar) error {
	var num number
	ok := false
	switch {
	case v.isNull(), v.isFalse(), v.kind == kindString && v.text == "":
		*n = 0
		return nil
	case v.isTrue():
		*n = 1
		return nil
	case v.kind == kindString:
		num, ok = parseNumber(v.text, false)
	case v.kind == kindNumber:
		num, ok = parseNumber(v.text, true)
	}
	if ok {
		if i, whole := num.int64(); whole {
			*n = Int(i)
			return nil
		}
	}
	return v.typeError(reflect.TypeFor[Int]())
}

// Bool is a flag that PHP may have written as a boolean, a number or a string.
//
// True is true, 1, "1", "true" and "yes"; false is false, 0, "0", "false", "no", "" and
// null. Letter case does not matter. Anything else, for example 2 or "on", is rejected.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bool) UnmarshalJSON(data []byte) error {
	v, err := readScalar(data)
	if err != nil {
		return err
	}
	return b.setScalar(v)
}

// setScalar sets the value from v, as read by readScalar.
func (b *Bool) setScalar(v scalar) error {
	text := v.text
	if v.kind == kindString {
		text = strings.ToLower(text)
	}
	switch {
	case v.isNull():
		*b = false
		return nil
	case v.kind == kindBool:
		*b = v.text == "true"
		return nil
	case v.kind == kindString || v.kind == kindNumber:
		switch text {
		case "1", "true", "yes":
			*b = true
			return nil
		case "0", "false", "no", "":
			*b = false
			return nil
		}
	}
	return v.typeError(reflect.TypeFor[Bool]())
}

// String is text that PHP may have written as a string or as a number.
//
// A number keeps its JSON text, so a zip code that JSON_NUMERIC_CHECK turned into 1234 comes
// back as "1234" (its lost leading zero cannot be recovered). null and false decode to "",
// and true to "1", which is what PHP's echo prints. Arrays and objects are rejected.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(data []byte) error {
	v, err := readScalar(data)
	if err != nil {
		return err
	}
	return s.setScalar(v)
}

// setScalar sets the value from v, as read by readScalar.
func (s *String) setScalar(v scalar) error {
	switch {
	case v.isNull(), v.isFalse():
		*s = ""
		return nil
	case v.isTrue():
		*s = "1"
		return nil
	case v.kind == kindString || v.kind == kindNumber:
		*s = String(v.text)
		return nil
	}
	return v.typeError(reflect.TypeFor[String]())
}

// Decimal is an amount, such as money, as decimal text. The zero value "" means absent.
//
// It accepts a JSON string or number whose text is an optional minus sign, digits and an
// optional fraction, and keeps the digits as given ("123.40" stays "123.40"). "", null and
// false decode to "". Exponent forms such as "1.0E+25" or 1e3, a decimal comma as in
// "12,50", and a leading plus sign or point are rejected. The value never passes through
// float64; a float that PHP printed with rounding noise, such as 0.30000000000000004, is
// kept as printed and makes Fixed fail.
type Decimal string

// maxFixedPlaces bounds the places of Decimal.Fixed, far above any currency's decimals.
const maxFixedPlaces = 64

// UnmarshalJSON implements json.Unmarshaler.
func (d *Decimal) UnmarshalJSON(data []byte) error {
	v, err := readScalar(data)
	if err != nil {
		return err
	}
	return d.setScalar(v)
}

// setScalar sets the value from v, as read by readScalar.
func (d *Decimal) setScalar(v scalar) error {
	switch {
	case v.isNull(), v.isFalse(), v.kind == kindString && v.text == "":
		*d = ""
		return nil
	case v.kind == kindString || v.kind == kindNumber:
		if isDecimal(v.text) {
			*d = Decimal(v.text)
			return nil
		}
	}
	return v.typeError(reflect.TypeFor[Decimal]())
}

// IsSet reports whether d holds a value. It is false only for the absent value "", and
// true for a present zero such as "0.00".
func (d Decimal) IsSet() bool {
	return d != ""
}

// Fixed renders d with exactly places decimals, padding with zeros: "9.9" gives "9.90" and
// "10" gives "10.00" for places 2. It returns an error when d is absent or not decimal text,
// when places is negative or above 64, and when rendering would drop a non-zero digit
// ("9.999" with places 2). Zeros beyond places are dropped.
func (d Decimal) Fixed(places int) (string, error) {
	if places < 0 || places > maxFixedPlaces {
		return "", fmt.Errorf("decimal places %d out of range 0 to %d", places, maxFixedPlaces)
	}
	if !d.IsSet() {
		return "", errors.New("decimal is absent")
	}
	if !isDecimal(string(d)) {
		return "", fmt.Errorf("invalid decimal %q", string(d))
	}

	whole, fraction, _ := strings.Cut(string(d), ".")
	if len(fraction) > places {
		if strings.Trim(fraction[places:], "0") != "" {
			return "", fmt.Errorf("decimal %q has non-zero digits beyond %d places", string(d), places)
		}
		fraction = fraction[:places]
	}
	fraction += strings.Repeat("0", places-len(fraction))
	if places == 0 {
		return whole, nil
	}
	return whole + "." + fraction, nil
}

// LocalTime is a date and time as PHP writes it: a wall-clock time in the back office's time
// zone without an offset ("2006-01-02 15:04:05"), or Unix seconds. The zero value means
// "never" (not set).
//
// It accepts "Y-m-d H:i:s" (with an optional fraction of a second, as DATETIME(6) columns
// give), "Y-m-d" (midnight), and a JSON integer or a string of digits as Unix seconds.
// MySQL's zero dates "0000-00-00 00:00:00" and "0000-00-00", Unix second 0 (what an INT
// timestamp column declared DEFAULT 0 contains), "", null and false decode to "never".
// Dates that do not exist, such as "2024-02-30 10:00:00", and other layouts are rejected.
// So is the object that json_encode makes of a PHP DateTime, because the contract never
// sends one.
type LocalTime struct {
	clock time.Time // the wall clock with its fields stored as UTC, or the instant when unix is true
	unix  bool      // clock is an absolute instant given as Unix seconds
	isSet bool      // false for "never"
}

const (
	wallClockLayout = "2006-01-02 15:04:05"
	dateLayout      = "2006-01-02"
)

// UnmarshalJSON implements json.Unmarshaler.
func (t *LocalTime) UnmarshalJSON(data []byte) error {
	v, err := readScalar(data)
	if err != nil {
		return err
	}
	return t.setScalar(v)
}

// setScalar sets the value from v, as read by readScalar.
func (t *LocalTime) setScalar(v scalar) error {
	switch {
	case v.isNull(), v.isFalse(), v.kind == kindString && v.text == "":
		*t = LocalTime{}
		return nil
	case (v.kind == kindString || v.kind == kindNumber) && isDigits(v.text):
		seconds, err := strconv.ParseInt(v.text, 10, 64)
		if err != nil {
			break
		}
		if seconds == 0 {
			*t = LocalTime{}
		} else {
			*t = LocalTime{clock: time.Unix(seconds, 0).UTC(), unix: true, isSet: true}
		}
		return nil
	case v.kind == kindString:
		clock, zero, ok := parseWallClock(v.text)
		if !ok {
			break
		}
		if zero {
			*t = LocalTime{}
		} else {
			*t = LocalTime{clock: clock, isSet: true}
		}
		return nil
	}
	return v.typeError(reflect.TypeFor[LocalTime]())
}

// MarshalJSON encodes t in a form that UnmarshalJSON reads back: null when not set, Unix
// seconds for an instant, and "Y-m-d H:i:s" (with a fraction only when there is one) for a
// wall clock.
func (t LocalTime) MarshalJSON() ([]byte, error) {
	switch {
	case !t.isSet:
		return []byte("null"), nil
	case t.unix:
		return strconv.AppendInt(nil, t.clock.Unix(), 10), nil
	}
	return json.Marshal(t.clock.Format(wallClockLayout + ".999999999"))
}

// IsSet reports whether t holds a time, that is, whether it is not "never".
func (t LocalTime) IsSet() bool {
	return t.isSet
}

// String returns t as "Y-m-d H:i:s", as "@" followed by Unix seconds, or as "never".
func (t LocalTime) String() string {
	switch {
	case !t.isSet:
		return "never"
	case t.unix:
		return "@" + strconv.FormatInt(t.clock.Unix(), 10)
	}
	return t.clock.Format(wallClockLayout + ".999999999")
}

// In returns the instant t stands for, with loc as its location, and ok=false when t is not
// set. A nil loc means UTC. Unix seconds are an absolute instant that loc only displays. A
// wall-clock time is read as a time in loc, the back office's time zone.
//
// Daylight saving time makes some wall-clock times ambiguous, and the string carries no
// offset to resolve them. For a time that occurs twice (Europe/Berlin 2024-10-27 02:30),
// In returns what time.Date returns. The time package does not promise which of the two
// instants that is. Go 1.26 gives the second one (02:30 CET) in Europe/Berlin and the first
// one (01:30 EDT) for America/New_York 2011-11-06, and PHP 8.2's DateTime gives the same
// instants. For a time that never occurs because the clocks jumped forward (Europe/Berlin
// 2024-03-31 02:30), In applies the offset in force before the jump. The result then lies
// as far after the gap as the time lay inside it (03:30 CEST), again as PHP 8.2's DateTime
// does. time.Date alone would be inconsistent there: it gives 03:30 CEST in Europe/Berlin
// but 01:30 EST, before the gap, for America/New_York 2011-03-13 02:30.
func (t LocalTime) In(loc *time.Location) (time.Time, bool) {
	if !t.isSet {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	if t.unix {
		return t.clock.In(loc), true
	}

	c := t.clock
	at := time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), loc)
	if sameWallClock(at, c) {
		return at, true
	}

	// The wall clock never occurred in loc. The offset a day earlier is the one before the
	// jump, as long as loc changes its offset at most once within a day.
	_, offsetBefore := time.Unix(c.Unix()-24*60*60, 0).In(loc).Zone()
	return time.Unix(c.Unix()-int64(offsetBefore), int64(c.Nanosecond())).In(loc), true
}

// sameWallClock reports whether a and b show the same date and time of day in their own
// locations.
func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ah, amin, as := a.Clock()
	bh, bmin, bs := b.Clock()
	return ay == by && am == bm && ad == bd && ah == bh && amin == bmin && as == bs &&
		a.Nanosecond() == b.Nanosecond()
}

// parseWallClock parses "Y-m-d" or "Y-m-d H:i:s" with an optional fraction of a second into
// a time whose fields are stored as UTC. zero is true for MySQL's zero date, and ok is false
// for other layouts and for dates that do not exist.
func parseWallClock(s string) (clock time.Time, zero bool, ok bool) {
	layout := dateLayout
	switch {
	case len(s) == len(dateLayout) && matchesLayout(s, "dddd-dd-dd"):
		if s == "0000-00-00" {
			return time.Time{}, true, true
		}
	case len(s) >= len(wallClockLayout) && matchesLayout(s[:len(wallClockLayout)], "dddd-dd-dd dd:dd:dd"):
		rest := s[len(wallClockLayout):]
		if rest != "" && (rest[0] != '.' || len(rest) < 2 || len(rest) > 10 || !isDigits(rest[1:])) {
			return time.Time{}, false, false
		}
		if s[:len(wallClockLayout)] == "0000-00-00 00:00:00" && strings.Trim(rest, ".0") == "" {
			return time.Time{}, true, true
		}
		layout = wallClockLayout
	default:
		return time.Time{}, false, false
	}

	// time.Parse accepts a fraction after the seconds even when the layout has none, and
	// rejects days beyond the end of the month.
	clock, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, false, false
	}
	return clock, false, true
}

// matchesLayout reports whether s has a digit wherever pattern has 'd' and the same byte
// everywhere else.
func matchesLayout(s, pattern string) bool {
	if len(s) != len(pattern) {
		return false
	}
	for i := range len(pattern) {
		if pattern[i] == 'd' {
			if !isDigit(s[i]) {
				return false
			}
		} else if s[i] != pattern[i] {
			return false
		}
	}
	return true
}

// Map is a set of rows keyed by id, as PHP writes an array with non-sequential keys.
//
// It accepts a JSON object. PHP writes an empty array as [] even where an object is meant, so
// [] gives an empty map, as do null and false. A PHP array whose keys happen to be 0, 1, 2...
// arrives as a non-empty JSON array, and its element i gets the key strconv.Itoa(i). Every
// empty form decodes to an empty, non-nil map. When a value fails to decode, the error path
// includes its key. A key that appears twice is an error, because the gateway cannot tell
// which of the two rows is the record.
type Map[V any] map[string]V

// UnmarshalJSON implements json.Unmarshaler.
func (m *Map[V]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	out := Map[V]{}

	switch {
	case isLiteral(data, "null"), isLiteral(data, "false"):
	case len(data) > 0 && data[0] == '[':
		var items []json.RawMessage
		if err := decodeValue(data, &items); err != nil {
			return err
		}
		for i, raw := range items {
			var v V
			if err := decodeValue(raw, &v); err != nil {
				return withPath(err, strconv.Itoa(i))
			}
			out[strconv.Itoa(i)] = v
		}
	case len(data) > 0 && data[0] == '{':
		err := eachMember(data, func(key string, raw json.RawMessage) error {
			if _, seen := out[key]; seen {
				return &json.UnmarshalTypeError{Value: "object with a repeated key", Type: reflect.TypeFor[Map[V]]()}
			}
			var v V
			if err := decodeValue(raw, &v); err != nil {
				return withPath(err, key)
			}
			out[key] = v
			return nil
		})
		if err != nil {
			return err
		}
	default:
		v, err := readScalar(data)
		if err != nil {
			return err
		}
		return v.typeError(reflect.TypeFor[Map[V]]())
	}

	*m = out
	return nil
}

// List is a sequence, as PHP writes an array with keys 0, 1, 2...
//
// It accepts a JSON array. A PHP list with gaps (after unset or array_filter) arrives as an
// object keyed by index, such as {"0":"a","2":"c"}, and gives its values in ascending numeric
// key order. Such keys must be non-negative integers in PHP's canonical form. An object
// with any other key, for example "01" or "name", is rejected because it is not a list, and
// so is one with a key that appears twice, because one of the two elements would be lost.
// {}, null and false give an empty, non-nil list. When an element fails to decode, the
// error path includes its index or key.
type List[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (l *List[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	var out List[T]

	switch {
	case isLiteral(data, "null"), isLiteral(data, "false"):
		out = List[T]{}
	case len(data) > 0 && data[0] == '[':
		var items []json.RawMessage
		if err := decodeValue(data, &items); err != nil {
			return err
		}
		out = make(List[T], len(items))
		for i, raw := range items {
			if err := decodeValue(raw, &out[i]); err != nil {
				return withPath(err, strconv.Itoa(i))
			}
		}
	case len(data) > 0 && data[0] == '{':
		type member struct {
			index int64
			key   string
			raw   json.RawMessage
		}
		var members []member
		position := map[int64]int{}
		err := eachMember(data, func(key string, raw json.RawMessage) error {
			index, ok := listIndex(key)
			if !ok {
				return &json.UnmarshalTypeError{
					Value: "object with a key that is not a list index",
					Type:  reflect.TypeFor[List[T]](),
				}
			}
			if _, seen := position[index]; seen {
				return &json.UnmarshalTypeError{Value: "object with a repeated key", Type: reflect.TypeFor[List[T]]()}
			}
			position[index] = len(members)
			members = append(members, member{index: index, key: key, raw: raw})
			return nil
		})
		if err != nil {
			return err
		}

		slices.SortFunc(members, func(a, b member) int { return cmp.Compare(a.index, b.index) })
		out = make(List[T], len(members))
		for i, m := range members {
			if err := decodeValue(m.raw, &out[i]); err != nil {
				return withPath(err, m.key)
			}
		}
	default:
		v, err := readScalar(data)
		if err != nil {
			return err
		}
		return v.typeError(reflect.TypeFor[List[T]]())
	}

	*l = out
	return nil
}

// listIndex parses a non-negative PHP integer array key: "0" or digits without a leading zero,
// within int64. PHP keeps a key such as "01" as a string, and no list has a negative key.
func listIndex(key string) (int64, bool) {
	if !isDigits(key) || len(key) > 1 && key[0] == '0' {
		return 0, false
	}
	index, err := strconv.ParseInt(key, 10, 64)
	return index, err == nil
}

// jsonKind is the kind of a JSON value, known from its first byte.
type jsonKind int

const (
	kindNull jsonKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// scalar is a JSON value read for one of the types above.
type scalar struct {
	kind jsonKind
	text string // the decoded string, the number's text, "true" or "false"; empty otherwise
}

func (v scalar) isNull() bool  { return v.kind == kindNull }
func (v scalar) isTrue() bool  { return v.kind == kindBool && v.text == "true" }
func (v scalar) isFalse() bool { return v.kind == kindBool && v.text == "false" }

// readScalar reads one JSON value. Arrays and objects are returned by kind only. It returns
// an error for text that is not a JSON value, which only a direct call with bad input causes,
// because encoding/json checks the syntax before it calls an Unmarshaler.
func readScalar(data []byte) (scalar, error) {
	return readScalarIn(bytes.TrimSpace(data), "")
}

// readScalarIn is readScalar for data without surrounding whitespace. source is either "" or
// data as a string, and then the text of a string without escapes, or of a number, is a
// slice of source instead of a copy.
func readScalarIn(data []byte, source string) (scalar, error) {
	switch {
	case isLiteral(data, "null"):
		return scalar{kind: kindNull}, nil
	case isLiteral(data, "true"):
		return scalar{kind: kindBool, text: "true"}, nil
	case isLiteral(data, "false"):
		return scalar{kind: kindBool, text: "false"}, nil
	case len(data) == 0:
	case data[0] == '"':
		// Most of the back office's values are plain ASCII strings, which need no
		// unescaping, so they skip encoding/json. Anything else (escapes, control
		// characters, non-ASCII) goes through encoding/json, which also replaces invalid
		// UTF-8.
		if isPlainString(data) {
			if source != "" {
				return scalar{kind: kindString, text: source[1 : len(source)-1]}, nil
			}
			return scalar{kind: kindString, text: string(data[1 : len(data)-1])}, nil
		}
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return scalar{}, err
		}
		return scalar{kind: kindString, text: s}, nil
	case data[0] == '-' || isDigit(data[0]):
		text := source
		if text == "" {
			text = string(data)
		}
		if _, ok := parseNumber(text, true); ok {
			return scalar{kind: kindNumber, text: text}, nil
		}
	case data[0] == '[' && json.Valid(data):
		return scalar{kind: kindArray}, nil
	case data[0] == '{' && json.Valid(data):
		return scalar{kind: kindObject}, nil
	}
	return scalar{}, errors.New("invalid JSON value")
}

// isPlainString reports whether data is a JSON string of printable ASCII without escapes.
func isPlainString(data []byte) bool {
	if len(data) < 2 || data[len(data)-1] != '"' {
		return false
	}
	for _, c := range data[1 : len(data)-1] {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// typeError describes v by its JSON kind only, so that the decoder can add the struct field to
// the message. The value itself stays out: these errors reach the log, and a misbehaving back
// office may put anything into a field, its own key included.
func (v scalar) typeError(t reflect.Type) error {
	var value string
	switch v.kind {
	case kindNull:
		value = "null"
	case kindBool:
		value = "bool"
	case kindNumber:
		value = "number"
	case kindString:
		value = "string"
	case kindArray:
		value = "array"
	case kindObject:
		value = "object"
	}
	return &json.UnmarshalTypeError{Value: value, Type: t}
}

// clipUTF8 returns at most limit bytes from the start of b as valid UTF-8. Each invalid byte
// becomes U+FFFD, and the result stops before a character that would not fit whole.
func clipUTF8(b []byte, limit int) string {
	var out strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		piece := b[:size]
		if r == utf8.RuneError && size == 1 {
			piece = []byte(string(utf8.RuneError))
		}
		if out.Len()+len(piece) > limit {
			break
		}
		out.Write(piece)
		b = b[size:]
	}
	return out.String()
}

// number is a decimal number split into parts whose value is ±digits × 10^exp, so that it can
// be checked for being whole and in range without rounding.
type number struct {
	negative bool
	digits   string // significant digits without leading or trailing zeros; "" for zero
	exp      int64
}

// exponentLimit replaces an exponent beyond int32. It puts any non-zero number far outside
// every range checked here.
const exponentLimit = 1 << 40

// parseNumber parses an optional sign, digits, an optional fraction and an optional exponent.
// With jsonGrammar, the text must also be a JSON number: no plus sign and no leading zero. It
// reports false for anything else, including surrounding spaces.
func parseNumber(s string, jsonGrammar bool) (number, bool) {
	i := 0
	negative := false
	if i < len(s) && (s[i] == '-' || s[i] == '+' && !jsonGrammar) {
		negative = s[i] == '-'
		i++
	}

	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	whole := s[start:i]
	if whole == "" || jsonGrammar && len(whole) > 1 && whole[0] == '0' {
		return number{}, false
	}

	fraction := ""
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fraction = s[start:i]
		if fraction == "" {
			return number{}, false
		}
	}

	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		start = i
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		digitsStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == digitsStart {
			return number{}, false
		}
		e, err := strconv.ParseInt(s[start:i], 10, 32)
		switch {
		case err == nil:
			exp = e
		case s[start] == '-':
			exp = -exponentLimit
		default:
			exp = exponentLimit
		}
	}
	if i != len(s) {
		return number{}, false
	}

	digits := strings.TrimLeft(whole+fraction, "0")
	exp -= int64(len(fraction))
	trimmed := strings.TrimRight(digits, "0")
	exp += int64(len(digits) - len(trimmed))
	if trimmed == "" {
		return number{}, true
	}
	return number{negative: negative, digits: trimmed, exp: exp}, true
}

// int64 returns n as an int64, and false when n has a fraction or is out of range.
func (n number) int64() (int64, bool) {
	if n.digits == "" {
		return 0, true
	}
	if n.exp < 0 || int64(len(n.digits))+n.exp > 19 {
		return 0, false
	}

	magnitude, err := strconv.ParseUint(n.digits, 10, 64)
	if err != nil {
		return 0, false
	}
	for range n.exp {
		if magnitude > math.MaxUint64/10 {
			return 0, false
		}
		magnitude *= 10
	}

	switch {
	case !n.negative && magnitude <= math.MaxInt64:
		return int64(magnitude), true
	case n.negative && magnitude <= math.MaxInt64:
		return -int64(magnitude), true
	case n.negative && magnitude == math.MaxInt64+1:
		return math.MinInt64, true
	}
	return 0, false
}

// isDecimal reports whether s is an optional minus sign, digits and an optional fraction.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, fraction, hasPoint := strings.Cut(s, ".")
	return isDigits(whole) && (!hasPoint || isDigits(fraction))
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

func isLiteral(data []byte, literal string) bool {
	return string(data) == literal
}

// decodeValue decodes one JSON value into v with json.Number for numbers in interface
// values, as DecodeResponse does for the envelope. Only whitespace may follow the value.
func decodeValue(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return errors.New("invalid JSON: data after the value")
	}
	return nil
}

// eachMember calls fn for each member of the JSON object data in document order.
func eachMember(data []byte, fn func(key string, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if token, err := dec.Token(); err != nil {
		return err
	} else if token != json.Delim('{') {
		return errors.New("invalid JSON: expected an object")
	}

	for dec.More() {
		token, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := token.(string)
		if !ok {
			return errors.New("invalid JSON: expected an object key")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(key, raw); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// withPath puts the map key or list index segment in front of the field path of a type
// error, so that the message names the row that failed, as in "orders.17.total". Other
// errors get the segment as a prefix.
func withPath(err error, segment string) error {
	segment = pathSegment(segment)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			typeErr.Field = segment
		} else {
			typeErr.Field = segment + "." + typeErr.Field
		}
		return err
	}
	return fmt.Errorf("%s: %w", segment, err)
}

// pathSegment returns segment as an error path names it. An id or list index, as PHP writes
// them, is at most 20 digits and is named as it is. Any other key is the back office's text,
// of any length, so the path gives only its length and no text reaches the log.
func pathSegment(segment string) string {
	if len(segment) > 0 && len(segment) <= 20 && strings.Trim(segment, "0123456789") == "" {
		return segment
	}
	return fmt.Sprintf("(key of %d bytes)", len(segment))
}
