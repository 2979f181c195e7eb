package upstream

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// sampleFuzzPayload uses every type of phpjson.go, nested the way the API files nest them.
type sampleFuzzPayload struct {
	ID       ID                    `json:"id"`
	Count    Int                   `json:"count"`
	Active   Bool                  `json:"active"`
	Name     String                `json:"name"`
	Total    Decimal               `json:"total"`
	Placed   LocalTime             `json:"placed"`
	Orders   Map[sampleOrder]      `json:"orders"`
	Items    Map[List[sampleItem]] `json:"items"`
	Products List[sampleProduct]   `json:"products"`
	Tags     List[String]          `json:"tags"`
	Profile  *sampleProfile        `json:"profile"`
	Invoices Map[sampleInvoice]    `json:"invoices"`
	Extra    map[string]any        `json:"extra"`
}

// fuzzSeeds are bodies beyond the table cases of decode_test.go, aimed at sampleFuzzPayload.
var fuzzSeeds = []struct {
	status int
	body   string
}{
	{200, `{"status":"ok","data":{"id":"9007199254740993","count":"10.0","active":"yes","name":1234,"total":"123.40","placed":"2024-03-31 02:30:00",` +
		`"orders":{"12":` + sampleOrderJSON + `},"items":{"12":{"0":{"id":"1","qty":"2"},"2":{"id":"3","qty":1}}},` +
		`"products":{"1":{"id":3,"active":"1","0":"3"}},"tags":[],"profile":null,"invoices":[],"extra":{"big":9007199254740993}}}`},
	{200, `{"success":"1","data":{"placed":1709645400,"orders":[],"items":false,"tags":{"3":"c","1":"a"}}}`},
	{200, `{"success":true,"result":{"count":1e999999999,"total":"1.0E+25"}}`},
	{200, "\xEF\xBB\xBF\n\xEF\xBB\xBF{\"data\":{\"name\":\"Caf\xe9\"}}"},
	{200, `{"error":{"code":"not_found","message":"` + strings.Repeat("x", 600) + `"}}`},
	{200, `{"data":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`},
	{500, strings.Repeat("\xff", 700)},
	{-1, ""},
}

func FuzzDecodeResponse(f *testing.F) {
	for _, tc := range decodeSuccessCases {
		f.Add(tc.status, []byte(tc.body))
	}
	for _, tc := range decodeFailureCases {
		f.Add(tc.status, []byte(tc.body))
	}
	for _, seed := range fuzzSeeds {
		f.Add(seed.status, []byte(seed.body))
	}

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	categories := []error{ErrNotFound, ErrInvalidInput, ErrKeyRefused, ErrLoginFailed, ErrFault, ErrTimeout, ErrCircuitOpen}

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var payload sampleFuzzPayload
		err := DecodeResponse(status, body, &payload)

		if err == nil {
			// The accessors of decoded values must not panic either.
			payload.Placed.In(berlin)
			_ = payload.Placed.String()
			_, _ = payload.Total.Fixed(2)
			return
		}

		upErr, ok := err.(*Error)
		if !ok {
			t.Fatalf("DecodeResponse returned %T (%v), want *Error", err, err)
		}
		found := false
		for _, category := range categories {
			if upErr.Category == category {
				found = true
			}
		}
		if !found {
			t.Fatalf("Category = %v, want one of the sentinel errors", upErr.Category)
		}
		if !errors.Is(err, upErr.Category) {
			t.Fatalf("errors.Is(err, %v) = false", upErr.Category)
		}
		if upErr.Status != status {
			t.Fatalf("Status = %d, want %d", upErr.Status, status)
		}
		if upErr.API != "" || upErr.Op != "" {
			t.Fatalf("API, Op = %q, %q; want both empty", upErr.API, upErr.Op)
		}
		if len(upErr.Snippet) > maxSnippet || !utf8.ValidString(upErr.Snippet) {
			t.Fatalf("Snippet has %d bytes, valid UTF-8 %v", len(upErr.Snippet), utf8.ValidString(upErr.Snippet))
		}
		if len(upErr.Message) > maxMessage || !utf8.ValidString(upErr.Message) {
			t.Fatalf("Message has %d bytes, valid UTF-8 %v", len(upErr.Message), utf8.ValidString(upErr.Message))
		}
		if text := upErr.Error(); strings.ContainsAny(text, "\r\n") {
			t.Fatalf("Error() spans several lines: %q", text)
		}
		if !reflect.ValueOf(payload).IsZero() {
			t.Fatalf("payload = %+v after an error, want it untouched", payload)
		}
	})
}
