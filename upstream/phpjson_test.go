package upstream

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin and America/New_York without a system zone database
)

// phpCase is one JSON value and what decoding it into T must give.
type phpCase[T any] struct {
	name    string
	json    string
	want    T
	wantErr bool
}

// runPHPCases decodes each case as the member "v" of an object, as a struct field is decoded
// in a real payload, and checks the whole value or, for rejected values, that the error is a
// *json.UnmarshalTypeError naming the field.
func runPHPCases[T any](t *testing.T, cases []phpCase[T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				V T `json:"v"`
			}
			err := json.Unmarshal([]byte(`{"v":`+tc.json+`}`), &got)
			if tc.wantErr {
				var typeErr *json.UnmarshalTypeError
				if !errors.As(err, &typeErr) {
					t.Fatalf("decode %s: got value %#v and error %v, want a *json.UnmarshalTypeError", tc.json, got.V, err)
				}
				if typeErr.Field != "v" && !strings.HasPrefix(typeErr.Field, "v.") {
					t.Errorf("decode %s: error field %q, want it to start with v: %v", tc.json, typeErr.Field, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode %s: %v", tc.json, err)
			}
			if !reflect.DeepEqual(got.V, tc.want) {
				t.Errorf("decode %s: got %#v, want %#v", tc.json, got.V, tc.want)
			}
		})
	}
}

func TestIDUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[ID]{
		{name: "digit-string", json: `"42"`, want: "42"},
		{name: "number", json: `42`, want: "42"},
		{name: "beyond-2-pow-53", json: `9007199254740993`, want: "9007199254740993"},
		{name: "beyond-2-pow-53-string", json: `"9007199254740993"`, want: "9007199254740993"},
		{name: "max-uint64", json: `18446744073709551615`, want: "18446744073709551615"},
		{name: "leading-zeros-kept", json: `"007"`, want: "007"},
		{name: "zero", json: `0`, want: "0"},
		{name: "empty-string", json: `""`, want: ""},
		{name: "null", json: `null`, want: ""},
		{name: "false", json: `false`, want: ""},
		{name: "true", json: `true`, wantErr: true},
		{name: "beyond-uint64", json: `18446744073709551616`, wantErr: true},
		{name: "beyond-uint64-string", json: `"18446744073709551616"`, wantErr: true},
		{name: "php-int-max-plus-one-float", json: `9.223372036854776e+18`, wantErr: true},
		{name: "negative", json: `-1`, wantErr: true},
		{name: "negative-string", json: `"-1"`, wantErr: true},
		{name: "fraction", json: `1.5`, wantErr: true},
		{name: "whole-float", json: `7.0`, wantErr: true},
		{name: "exponent", json: `1e3`, wantErr: true},
		{name: "letters", json: `"A-17"`, wantErr: true},
		{name: "surrounding-space", json: `" 42"`, wantErr: true},
		{name: "object", json: `{"id":"42"}`, wantErr: true},
		{name: "array", json: `["42"]`, wantErr: true},
	})
}

func TestIntUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[Int]{
		{name: "number", json: `42`, want: 42},
		{name: "string", json: `"42"`, want: 42},
		{name: "negative-string", json: `"-7"`, want: -7},
		{name: "plus-string", json: `"+7"`, want: 7},
		{name: "leading-zeros-string", json: `"007"`, want: 7},
		{name: "negative-zero", json: `-0`, want: 0},
		{name: "empty-string", json: `""`, want: 0},
		{name: "null", json: `null`, want: 0},
		{name: "false", json: `false`, want: 0},
		{name: "true", json: `true`, want: 1},
		{name: "whole-float", json: `10.0`, want: 10},
		{name: "whole-float-string", json: `"10.0"`, want: 10},
		{name: "php-large-float", json: `1.0e+15`, want: 1_000_000_000_000_000},
		{name: "exponent-string", json: `"1.5E3"`, want: 1500},
		{name: "zero-huge-exponent", json: `0e999999999999`, want: 0},
		{name: "max-int64", json: `9223372036854775807`, want: 9223372036854775807},
		{name: "min-int64", json: `-9223372036854775808`, want: -9223372036854775808},
		{name: "max-int64-as-exponent", json: `9.223372036854775807e18`, want: 9223372036854775807},
		{name: "fraction", json: `10.5`, wantErr: true},
		{name: "fraction-string", json: `"10.5"`, wantErr: true},
		{name: "small-exponent", json: `1e-7`, wantErr: true},
		{name: "above-max-int64", json: `9223372036854775808`, wantErr: true},
		{name: "below-min-int64", json: `-9223372036854775809`, wantErr: true},
		{name: "php-int-max-plus-one-float", json: `9.223372036854776e+18`, wantErr: true},
		{name: "huge-exponent", json: `1e999999999999`, wantErr: true},
		{name: "huge-negative-exponent", json: `1e-999999999999`, wantErr: true},
		{name: "trailing-text", json: `"7abc"`, wantErr: true},
		{name: "surrounding-space", json: `" 7"`, wantErr: true},
		{name: "hex", json: `"0x1A"`, wantErr: true},
		{name: "decimal-comma", json: `"12,5"`, wantErr: true},
		{name: "lone-sign", json: `"-"`, wantErr: true},
		{name: "array", json: `[]`, wantErr: true},
	})
}

func TestBoolUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[Bool]{
		{name: "true", json: `true`, want: true},
		{name: "false", json: `false`, want: false},
		{name: "one", json: `1`, want: true},
		{name: "zero", json: `0`, want: false},
		{name: "one-string", json: `"1"`, want: true},
		{name: "zero-string", json: `"0"`, want: false},
		{name: "true-string", json: `"true"`, want: true},
		{name: "false-string-upper", json: `"FALSE"`, want: false},
		{name: "yes-string", json: `"Yes"`, want: true},
		{name: "no-string", json: `"no"`, want: false},
		{name: "empty-string", json: `""`, want: false},
		{name: "null", json: `null`, want: false},
		{name: "two", json: `2`, wantErr: true},
		{name: "two-string", json: `"2"`, wantErr: true},
		{name: "whole-float", json: `1.0`, wantErr: true},
		{name: "on-string", json: `"on"`, wantErr: true},
		{name: "object", json: `{}`, wantErr: true},
	})
}

func TestStringUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[String]{
		{name: "string", json: `"Ann"`, want: "Ann"},
		{name: "escapes", json: `"caf\u00e9 \"bar\""`, want: `café "bar"`},
		{name: "numeric-check-zip", json: `1234`, want: "1234"},
		{name: "number-text-kept", json: `1.50`, want: "1.50"},
		{name: "utf8-substitute", json: `"Caf\ufffd"`, want: "Caf\uFFFD"},
		{name: "empty-string", json: `""`, want: ""},
		{name: "null", json: `null`, want: ""},
		{name: "false", json: `false`, want: ""},
		{name: "true", json: `true`, want: "1"},
		{name: "array", json: `["a"]`, wantErr: true},
		{name: "object", json: `{"a":1}`, wantErr: true},
	})
}

func TestDecimalUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[Decimal]{
		{name: "string", json: `"123.40"`, want: "123.40"},
		{name: "number", json: `123.4`, want: "123.4"},
		{name: "whole-string", json: `"10"`, want: "10"},
		{name: "whole-number", json: `10`, want: "10"},
		{name: "negative", json: `"-5.00"`, want: "-5.00"},
		{name: "rounding-noise-kept", json: `0.30000000000000004`, want: "0.30000000000000004"},
		{name: "empty-string", json: `""`, want: ""},
		{name: "null", json: `null`, want: ""},
		{name: "false", json: `false`, want: ""},
		{name: "exponent-string", json: `"1.0E+25"`, wantErr: true},
		{name: "exponent-number", json: `1e3`, wantErr: true},
		{name: "decimal-comma", json: `"12,50"`, wantErr: true},
		{name: "plus-sign", json: `"+1"`, wantErr: true},
		{name: "leading-point", json: `".5"`, wantErr: true},
		{name: "trailing-point", json: `"5."`, wantErr: true},
		{name: "currency-sign", json: `"12.50 EUR"`, wantErr: true},
		{name: "true", json: `true`, wantErr: true},
		{name: "object", json: `{}`, wantErr: true},
	})
}

func TestDecimalFixed(t *testing.T) {
	cases := []struct {
		name    string
		value   Decimal
		places  int
		want    string
		wantErr bool
	}{
		{name: "pad-one", value: "9.9", places: 2, want: "9.90"},
		{name: "pad-whole", value: "10", places: 2, want: "10.00"},
		{name: "exact", value: "123.40", places: 2, want: "123.40"},
		{name: "drop-zeros", value: "9.900", places: 2, want: "9.90"},
		{name: "negative", value: "-0.5", places: 2, want: "-0.50"},
		{name: "zero-places", value: "10.00", places: 0, want: "10"},
		{name: "whole-zero-places", value: "10", places: 0, want: "10"},
		{name: "would-round", value: "9.999", places: 2, wantErr: true},
		{name: "would-drop-fraction", value: "10.50", places: 0, wantErr: true},
		{name: "rounding-noise", value: "0.30000000000000004", places: 2, wantErr: true},
		{name: "absent", value: "", places: 2, wantErr: true},
		{name: "not-decimal", value: "1e3", places: 2, wantErr: true},
		{name: "negative-places", value: "1", places: -1, wantErr: true},
		{name: "too-many-places", value: "1", places: 65, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.value.Fixed(tc.places)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Decimal(%q).Fixed(%d) = %q, want an error", tc.value, tc.places, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decimal(%q).Fixed(%d): %v", tc.value, tc.places, err)
			}
			if got != tc.want {
				t.Errorf("Decimal(%q).Fixed(%d) = %q, want %q", tc.value, tc.places, got, tc.want)
			}
		})
	}
}

func TestDecimalIsSet(t *testing.T) {
	if Decimal("").IsSet() {
		t.Error(`Decimal("").IsSet() = true, want false`)
	}
	if !Decimal("0.00").IsSet() {
		t.Error(`Decimal("0.00").IsSet() = false, want true`)
	}
}

// sampleWall is the LocalTime that decoding a wall-clock string gives.
func sampleWall(year int, month time.Month, day, hour, minute, second, nanosecond int) LocalTime {
	return LocalTime{clock: time.Date(year, month, day, hour, minute, second, nanosecond, time.UTC), isSet: true}
}

// sampleUnix is the LocalTime that decoding Unix seconds gives.
func sampleUnix(seconds int64) LocalTime {
	return LocalTime{clock: time.Unix(seconds, 0).UTC(), unix: true, isSet: true}
}

func TestLocalTimeUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[LocalTime]{
		{name: "date-time", json: `"2024-03-05 14:30:00"`, want: sampleWall(2024, 3, 5, 14, 30, 0, 0)},
		{name: "date-only", json: `"2024-03-05"`, want: sampleWall(2024, 3, 5, 0, 0, 0, 0)},
		{name: "fraction", json: `"2024-03-05 14:30:00.250000"`, want: sampleWall(2024, 3, 5, 14, 30, 0, 250_000_000)},
		{name: "leap-day", json: `"2024-02-29 10:00:00"`, want: sampleWall(2024, 2, 29, 10, 0, 0, 0)},
		{name: "unix-number", json: `1709645400`, want: sampleUnix(1709645400)},
		{name: "unix-string", json: `"1709645400"`, want: sampleUnix(1709645400)},
		{name: "unix-zero", json: `0`, want: LocalTime{}},
		{name: "unix-zero-string", json: `"0"`, want: LocalTime{}},
		{name: "zero-date-time", json: `"0000-00-00 00:00:00"`, want: LocalTime{}},
		{name: "zero-date", json: `"0000-00-00"`, want: LocalTime{}},
		{name: "zero-date-fraction", json: `"0000-00-00 00:00:00.000000"`, want: LocalTime{}},
		{name: "empty-string", json: `""`, want: LocalTime{}},
		{name: "null", json: `null`, want: LocalTime{}},
		{name: "false", json: `false`, want: LocalTime{}},
		{name: "no-such-day", json: `"2024-02-30 10:00:00"`, wantErr: true},
		{name: "no-leap-day", json: `"2023-02-29"`, wantErr: true},
		{name: "month-13", json: `"2024-13-01 10:00:00"`, wantErr: true},
		{name: "hour-24", json: `"2024-01-02 24:00:00"`, wantErr: true},
		{name: "zero-month-and-day", json: `"2024-00-00"`, wantErr: true},
		{name: "zero-date-with-time", json: `"0000-00-00 10:00:00"`, wantErr: true},
		{name: "rfc3339", json: `"2024-01-02T10:00:00Z"`, wantErr: true},
		{name: "one-digit-hour", json: `"2024-01-02 1:04:05"`, wantErr: true},
		{name: "trailing-space", json: `"2024-01-02 10:00:00 "`, wantErr: true},
		{name: "fraction-too-long", json: `"2024-01-02 10:00:00.1234567890"`, wantErr: true},
		{name: "negative-unix", json: `-1`, wantErr: true},
		{name: "microtime-float", json: `1709645400.25`, wantErr: true},
		{name: "unix-beyond-int64", json: `"99999999999999999999"`, wantErr: true},
		{name: "true", json: `true`, wantErr: true},
		{name: "php-datetime-object", json: `{"date":"2024-01-02 03:04:05.000000","timezone_type":3,"timezone":"Europe/Berlin"}`, wantErr: true},
	})
}

func TestLocalTimeIn(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name      string
		json      string
		loc       *time.Location
		wantUTC   string // the instant, in UTC; empty for a time that is not set
		wantLocal string // the same instant as shown in loc
	}{
		{name: "berlin-winter", json: `"2024-01-15 10:00:00"`, loc: berlin,
			wantUTC: "2024-01-15 09:00:00", wantLocal: "2024-01-15 10:00:00 CET"},
		{name: "berlin-summer", json: `"2024-07-15 10:00:00"`, loc: berlin,
			wantUTC: "2024-07-15 08:00:00", wantLocal: "2024-07-15 10:00:00 CEST"},
		{name: "berlin-date-only", json: `"2024-07-15"`, loc: berlin,
			wantUTC: "2024-07-14 22:00:00", wantLocal: "2024-07-15 00:00:00 CEST"},
		{name: "berlin-dst-gap", json: `"2024-03-31 02:30:00"`, loc: berlin,
			wantUTC: "2024-03-31 01:30:00", wantLocal: "2024-03-31 03:30:00 CEST"},
		{name: "berlin-dst-overlap", json: `"2024-10-27 02:30:00"`, loc: berlin,
			wantUTC: "2024-10-27 01:30:00", wantLocal: "2024-10-27 02:30:00 CET"},
		{name: "new-york-dst-gap", json: `"2011-03-13 02:30:00"`, loc: newYork,
			wantUTC: "2011-03-13 07:30:00", wantLocal: "2011-03-13 03:30:00 EDT"},
		{name: "new-york-dst-overlap", json: `"2011-11-06 01:30:00"`, loc: newYork,
			wantUTC: "2011-11-06 05:30:00", wantLocal: "2011-11-06 01:30:00 EDT"},
		{name: "unix-is-absolute", json: `1709645400`, loc: berlin,
			wantUTC: "2024-03-05 13:30:00", wantLocal: "2024-03-05 14:30:00 CET"},
		{name: "nil-location-is-utc", json: `"2024-01-15 10:00:00"`, loc: nil,
			wantUTC: "2024-01-15 10:00:00", wantLocal: "2024-01-15 10:00:00 UTC"},
		{name: "zero-date-not-set", json: `"0000-00-00 00:00:00"`, loc: berlin},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lt LocalTime
			if err := json.Unmarshal([]byte(tc.json), &lt); err != nil {
				t.Fatal(err)
			}
			got, ok := lt.In(tc.loc)
			if tc.wantUTC == "" {
				if ok || !got.IsZero() {
					t.Errorf("In of %s = %v, %v; want the zero time and false", tc.json, got, ok)
				}
				return
			}
			if !ok {
				t.Fatalf("In of %s: ok = false, want true", tc.json)
			}
			if utc := got.UTC().Format(wallClockLayout); utc != tc.wantUTC {
				t.Errorf("In of %s: instant %s UTC, want %s UTC", tc.json, utc, tc.wantUTC)
			}
			if local := got.Format(wallClockLayout + " MST"); local != tc.wantLocal {
				t.Errorf("In of %s: shown as %s, want %s", tc.json, local, tc.wantLocal)
			}
		})
	}
}

func TestLocalTimeMarshalRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		value LocalTime
		want  string
	}{
		{name: "never", value: LocalTime{}, want: `null`},
		{name: "wall-clock", value: sampleWall(2024, 3, 5, 14, 30, 0, 0), want: `"2024-03-05 14:30:00"`},
		{name: "wall-clock-fraction", value: sampleWall(2024, 3, 5, 14, 30, 0, 250_000_000), want: `"2024-03-05 14:30:00.25"`},
		{name: "unix", value: sampleUnix(1709645400), want: `1709645400`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := json.Marshal(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.want {
				t.Errorf("Marshal = %s, want %s", data, tc.want)
			}
			var back LocalTime
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.value) {
				t.Errorf("round trip gave %v, want %v", back, tc.value)
			}
		})
	}
}

func TestLocalTimeString(t *testing.T) {
	cases := []struct {
		name  string
		value LocalTime
		want  string
	}{
		{name: "never", value: LocalTime{}, want: "never"},
		{name: "wall-clock", value: sampleWall(2024, 3, 5, 14, 30, 0, 0), want: "2024-03-05 14:30:00"},
		{name: "unix", value: sampleUnix(1709645400), want: "@1709645400"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.value.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if got := tc.value.IsSet(); got != (tc.want != "never") {
				t.Errorf("IsSet() = %v for %q", got, tc.want)
			}
		})
	}
}

// sampleRow is a database row with PDO's default fetch mode, which repeats every column under
// its index.
type sampleRow struct {
	ID   ID     `json:"id"`
	Name String `json:"name"`
}

func TestMapUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[Map[Int]]{
		{name: "keyed-by-id", json: `{"7":"1","9":2}`, want: Map[Int]{"7": 1, "9": 2}},
		{name: "ids-beyond-2-pow-53", json: `{"9007199254740993":"5"}`, want: Map[Int]{"9007199254740993": 5}},
		{name: "empty-array", json: `[]`, want: Map[Int]{}},
		{name: "empty-object", json: `{}`, want: Map[Int]{}},
		{name: "null", json: `null`, want: Map[Int]{}},
		{name: "false", json: `false`, want: Map[Int]{}},
		{name: "php-list", json: `["5","6"]`, want: Map[Int]{"0": 5, "1": 6}},
		{name: "repeated-key", json: `{"7":1,"7":2}`, wantErr: true},
		{name: "bad-value", json: `{"7":"x"}`, wantErr: true},
		{name: "bad-list-value", json: `["5","x"]`, wantErr: true},
		{name: "string", json: `"7"`, wantErr: true},
		{name: "true", json: `true`, wantErr: true},
	})

	runPHPCases(t, []phpCase[Map[sampleRow]]{
		{name: "fetch-both-duplicates", json: `{"7":{"id":"7","0":"7","name":"Ann","1":"Ann"}}`,
			want: Map[sampleRow]{"7": {ID: "7", Name: "Ann"}}},
	})
}

func TestMapErrorNamesKey(t *testing.T) {
	var got struct {
		Rows Map[sampleRow] `json:"rows"`
	}
	err := json.Unmarshal([]byte(`{"rows":{"7":{"id":"7"},"9":{"id":"x9"}}}`), &got)
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		t.Fatalf("got error %v, want a *json.UnmarshalTypeError", err)
	}
	if typeErr.Field != "rows.9.id" {
		t.Errorf("error field = %q, want %q (error: %v)", typeErr.Field, "rows.9.id", err)
	}
}

func TestListUnmarshal(t *testing.T) {
	runPHPCases(t, []phpCase[List[String]]{
		{name: "array", json: `["a","b"]`, want: List[String]{"a", "b"}},
		{name: "gaps", json: `{"0":"a","2":"c"}`, want: List[String]{"a", "c"}},
		{name: "numeric-not-text-order", json: `{"10":"x","2":"y"}`, want: List[String]{"y", "x"}},
		{name: "array-filter-keys", json: `{"1":"b","2":"c","4":"e"}`, want: List[String]{"b", "c", "e"}},
		{name: "repeated-key", json: `{"1":"a","1":"b"}`, wantErr: true},
		{name: "empty-array", json: `[]`, want: List[String]{}},
		{name: "empty-object", json: `{}`, want: List[String]{}},
		{name: "null", json: `null`, want: List[String]{}},
		{name: "false", json: `false`, want: List[String]{}},
		{name: "name-key", json: `{"0":"a","name":"b"}`, wantErr: true},
		{name: "leading-zero-key", json: `{"01":"a"}`, wantErr: true},
		{name: "negative-key", json: `{"-1":"a"}`, wantErr: true},
		{name: "key-beyond-int64", json: `{"9223372036854775808":"a"}`, wantErr: true},
		{name: "bad-element", json: `["a",["b"]]`, wantErr: true},
		{name: "string", json: `"a"`, wantErr: true},
		{name: "true", json: `true`, wantErr: true},
	})

	runPHPCases(t, []phpCase[List[sampleRow]]{
		{name: "rows-with-gaps", json: `{"0":{"id":"1","0":"1"},"3":{"id":"4","0":"4"}}`,
			want: List[sampleRow]{{ID: "1"}, {ID: "4"}}},
	})
}

func TestListErrorNamesIndex(t *testing.T) {
	cases := []struct {
		name      string
		json      string
		wantField string
	}{
		{name: "array-index", json: `{"rows":[{"id":"1"},{"id":"x"}]}`, wantField: "rows.1.id"},
		{name: "object-key", json: `{"rows":{"0":{"id":"1"},"5":{"id":"x"}}}`, wantField: "rows.5.id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Rows List[sampleRow] `json:"rows"`
			}
			err := json.Unmarshal([]byte(tc.json), &got)
			var typeErr *json.UnmarshalTypeError
			if !errors.As(err, &typeErr) {
				t.Fatalf("got error %v, want a *json.UnmarshalTypeError", err)
			}
			if typeErr.Field != tc.wantField {
				t.Errorf("error field = %q, want %q (error: %v)", typeErr.Field, tc.wantField, err)
			}
		})
	}
}

func TestMapAnyKeepsNumbers(t *testing.T) {
	var got Map[any]
	if err := json.Unmarshal([]byte(`{"id":9007199254740993}`), &got); err != nil {
		t.Fatal(err)
	}
	if want := (Map[any]{"id": json.Number("9007199254740993")}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// TestUnmarshalJSONDirect calls the methods without encoding/json, which skips its syntax
// check, so invalid input must still give an error rather than a panic or a value.
func TestUnmarshalJSONDirect(t *testing.T) {
	inputs := []string{"", "   ", "nul", `"open`, "12abc", "{", "[1,", "--1", "\xff"}
	for _, input := range inputs {
		targets := []json.Unmarshaler{
			new(ID), new(Int), new(Bool), new(String), new(Decimal), new(LocalTime),
			new(Map[Int]), new(List[Int]),
		}
		for _, target := range targets {
			if err := target.UnmarshalJSON([]byte(input)); err == nil {
				t.Errorf("%T.UnmarshalJSON(%q) = nil, want an error", target, input)
			}
		}
	}
}
