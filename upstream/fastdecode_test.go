package upstream

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// sampleFastPayload uses every type of phpjson.go, nested the way the API files nest them, and
// plain Go fields, all of which decodeFast decodes itself.
type sampleFastPayload struct {
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
	Counts   map[Int]String        `json:"counts"`
	Codes    []ID                  `json:"codes"`
	Ref      *ID                   `json:"ref"`
	Plain    struct {
		Text   string
		Number int64
		Flag   bool
		Ratio  float64
	} `json:"plain"`
}

// checkFastMatchesExact decodes body into a new value of payload's type with decodeFast and
// with decodeExact. Whenever decodeFast succeeds, decodeExact must succeed with the same
// value, and with a nil payload as well. It returns whether decodeFast succeeded.
func checkFastMatchesExact(t *testing.T, status int, body []byte, payload any) bool {
	t.Helper()
	typ := reflect.TypeOf(payload).Elem()
	fast := reflect.New(typ)
	exact := reflect.New(typ)

	fastOK := decodeFast(status, body, fast.Interface())
	exactErr := decodeExact(status, body, exact.Interface(), nil)
	if fastOK && exactErr != nil {
		t.Fatalf("decodeFast accepted a body that decodeExact rejects with %v", exactErr)
	}
	if fastOK && !reflect.DeepEqual(fast.Elem().Interface(), exact.Elem().Interface()) {
		t.Fatalf("decodeFast gave %+v, decodeExact %+v", fast.Elem().Interface(), exact.Elem().Interface())
	}
	if !fastOK && !fast.Elem().IsZero() {
		t.Fatalf("decodeFast failed but left %+v in the payload", fast.Elem().Interface())
	}

	if decodeFast(status, body, nil) {
		if err := decodeExact(status, body, nil, nil); err != nil {
			t.Fatalf("decodeFast accepted a body without payload that decodeExact rejects with %v", err)
		}
	}
	return fastOK
}

func TestDecodeFastDashboardBodies(t *testing.T) {
	payloads := map[string]any{
		"profile":  new(Profile),
		"orders":   new(OrderPage),
		"items":    new(Map[List[OrderItem]]),
		"invoices": new(Map[Invoice]),
		"products": new(Map[Product]),
	}
	for name, body := range dashboardBodies(t) {
		t.Run(name, func(t *testing.T) {
			if !checkFastMatchesExact(t, http.StatusOK, body, payloads[name]) {
				t.Errorf("decodeFast left the %s body to decodeExact", name)
			}
		})
	}
}

func TestDecodeFastMatchesExact(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		payload  any
		wantFast bool // whether decodeFast decodes the body itself
	}{
		{name: "profile", status: 200, body: sampleProfileOK, payload: new(sampleProfile), wantFast: true},
		{name: "names-any-case", status: 200, body: `{"data":{"ID":"7","Name":"Ann","EMAIL":"a@example.com"}}`,
			payload: new(sampleProfile), wantFast: true},
		{name: "untagged-fields-any-case", status: 200, body: `{"data":{"plain":{"text":"a","NUMBER":3,"Flag":true,"ratio":0.5}}}`,
			payload: new(sampleFastPayload), wantFast: true},
		{name: "escaped-envelope-name", status: 200, body: `{"d\u0061ta":{"id":"7"}}`, payload: new(sampleProfile), wantFast: true},
		{name: "repeated-envelope-member", status: 200, body: `{"data":{"id":"1"},"data":{"id":"2"}}`,
			payload: new(sampleProfile), wantFast: true},
		{name: "repeated-field", status: 200, body: `{"data":{"id":"1","id":"2"}}`, payload: new(sampleProfile)},
		{name: "repeated-list-key", status: 200, body: `{"data":{"1":"a","1":"b"}}`, payload: new(List[String])},
		{name: "repeated-map-key", status: 200, body: `{"data":{"7":1,"7":2}}`, payload: new(Map[Int])},
		{name: "invalid-utf8", status: 200, body: "{\"data\":{\"name\":\"Caf\xe9\"}}", payload: new(sampleProfile)},
		{name: "escaped-string", status: 200, body: `{"data":{"name":"caf\u00e9 \"x\"","email":"\/a"}}`,
			payload: new(sampleProfile), wantFast: true},
		{name: "escaped-map-key", status: 200, body: `{"data":{"1\u0032":{"id":"12"}}}`, payload: new(Map[sampleOrder]), wantFast: true},
		{name: "whitespace-everywhere", status: 200, body: "\xEF\xBB\xBF\n{ \"data\" :\n { \"id\" : \"7\" , \"tags\" : [ \"a\" ] } }\v\f\n",
			payload: new(sampleFastPayload), wantFast: true},
		{name: "int-map-keys", status: 200, body: `{"data":{"counts":{"1":"a","-2":3}}}`, payload: new(sampleFastPayload), wantFast: true},
		{name: "fractional-int-map-key", status: 200, body: `{"data":{"counts":{"10.0":"a"}}}`, payload: new(sampleFastPayload)},
		{name: "pointers", status: 200, body: `{"data":{"ref":"5","profile":{"id":"7"},"codes":["1",2,null]}}`,
			payload: new(sampleFastPayload), wantFast: true},
		{name: "null-pointers", status: 200, body: `{"data":{"ref":null,"profile":null,"codes":null}}`,
			payload: new(sampleFastPayload), wantFast: true},
		{name: "list-with-gaps", status: 200, body: `{"data":{"10":"c","0":"a","2":"b"}}`, payload: new(List[String]), wantFast: true},
		{name: "list-key-not-index", status: 200, body: `{"data":{"01":"a"}}`, payload: new(List[String])},
		{name: "map-from-list", status: 200, body: `{"data":["5","6"]}`, payload: new(Map[Int]), wantFast: true},
		{name: "false-for-map", status: 200, body: `{"data":false}`, payload: new(Map[sampleProduct]), wantFast: true},
		{name: "null-payload", status: 200, body: `{"data":null}`, payload: new(sampleProfile), wantFast: true},
		{name: "bad-value", status: 200, body: `{"data":{"orders":{"12":{"total":"12,50"}}}}`, payload: new(sampleFastPayload)},
		{name: "number-into-any", status: 200, body: `{"data":{"id":9007199254740993}}`, payload: new(Map[any])},
		{name: "json-number", status: 200, body: `{"data":{"n":"12"}}`, payload: new(struct{ N json.Number })},
		{name: "failure-envelope", status: 200, body: `{"success":false,"code":"auth","result":[]}`, payload: new(Map[Int])},
		{name: "no-payload-member", status: 200, body: `{"status":"ok"}`, payload: new(Map[Int])},
		{name: "status-500", status: 500, body: sampleProfileOK, payload: new(sampleProfile)},
		{name: "text-after-body", status: 200, body: sampleProfileOK + "x", payload: new(sampleProfile)},
		{name: "deepest-value", status: 200, body: `{"data":{"x":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}}`,
			payload: new(sampleProfile), wantFast: true},
		{name: "too-deep-value", status: 200, body: `{"data":{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}}`,
			payload: new(sampleProfile)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkFastMatchesExact(t, tc.status, []byte(tc.body), tc.payload); got != tc.wantFast {
				t.Errorf("decodeFast = %v, want %v", got, tc.wantFast)
			}
		})
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, tc := range decodeSuccessCases {
		f.Add(tc.status, []byte(tc.body))
	}
	for _, tc := range decodeFailureCases {
		f.Add(tc.status, []byte(tc.body))
	}
	for _, seed := range fuzzSeeds {
		f.Add(seed.status, []byte(seed.body))
	}
	for _, body := range dashboardBodies(f) {
		f.Add(http.StatusOK, body)
	}

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		checkFastMatchesExact(t, status, body, new(sampleFastPayload))
		checkFastMatchesExact(t, status, body, new(Map[List[sampleItem]]))
	})
}
