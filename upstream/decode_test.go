package upstream

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The sample types are payloads as the API files decode them, with the contract's field names.

type sampleOrder struct {
	ID         ID        `json:"id"`
	Number     String    `json:"number"`
	CustomerID ID        `json:"customer_id"`
	Placed     LocalTime `json:"placed"`
	Status     String    `json:"status"`
	Total      Decimal   `json:"total"`
	Currency   String    `json:"currency"`
	Shipped    LocalTime `json:"shipped"`
}

type sampleOrderPage struct {
	Total  Int               `json:"total"`
	Offset Int               `json:"offset"`
	Orders List[sampleOrder] `json:"orders"`
}

type sampleItem struct {
	ID        ID      `json:"id"`
	OrderID   ID      `json:"order_id"`
	ProductID ID      `json:"product_id"`
	Qty       Int     `json:"qty"`
	UnitPrice Decimal `json:"unit_price"`
}

type sampleProduct struct {
	ID       ID      `json:"id"`
	SKU      String  `json:"sku"`
	Name     String  `json:"name"`
	Price    Decimal `json:"price"`
	Currency String  `json:"currency"`
	Active   Bool    `json:"active"`
}

type sampleProfile struct {
	ID        ID        `json:"id"`
	Name      String    `json:"name"`
	Email     String    `json:"email"`
	Phone     String    `json:"phone"`
	Created   LocalTime `json:"created"`
	LastLogin LocalTime `json:"last_login"`
}

type sampleInvoice struct {
	ID        ID        `json:"id"`
	Number    String    `json:"number"`
	OrderID   ID        `json:"order_id"`
	Issued    LocalTime `json:"issued"`
	Paid      LocalTime `json:"paid"`
	AmountDue Decimal   `json:"amount_due"`
	Currency  String    `json:"currency"`
}

// Bodies shared by several cases.
const (
	sampleOrderJSON  = `{"id":"12","number":"A-1001","customer_id":"7","placed":"2024-03-05 14:30:00","status":"paid","total":"123.40","currency":"EUR","shipped":"0000-00-00 00:00:00"}`
	sampleProfileOK  = `{"status":"ok","data":{"id":"7","name":"Ann","email":"ann@example.com","phone":"","created":"2020-01-02 03:04:05","last_login":"2024-03-05 14:30:00"}}`
	sampleNginx502   = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	sampleNginx504   = "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	sampleHTMLNotice = "<br />\n<b>Warning</b>:  Undefined array key \"missing\" in <b>/var/www/apis/order_api.php</b> on line <b>4</b><br />\n"
)

var sampleOrder12 = sampleOrder{
	ID: "12", Number: "A-1001", CustomerID: "7", Placed: sampleWall(2024, 3, 5, 14, 30, 0, 0),
	Status: "paid", Total: "123.40", Currency: "EUR",
}

var sampleProfile7 = sampleProfile{
	ID: "7", Name: "Ann", Email: "ann@example.com",
	Created: sampleWall(2020, 1, 2, 3, 4, 5, 0), LastLogin: sampleWall(2024, 3, 5, 14, 30, 0, 0),
}

// decodeSuccessCases are responses that DecodeResponse accepts. payload is a pointer to a zero
// value of the type to decode into, and want is the value it must hold afterwards.
var decodeSuccessCases = []struct {
	name    string
	status  int
	body    string
	payload any
	want    any
}{
	{
		name:    "account-profile",
		status:  200,
		body:    sampleProfileOK,
		payload: new(sampleProfile),
		want:    sampleProfile7,
	},
	{
		name:    "order-list-strings",
		status:  200,
		body:    `{"success":true,"result":{"total":"1","offset":"0","orders":[` + sampleOrderJSON + `]}}`,
		payload: new(sampleOrderPage),
		want:    sampleOrderPage{Total: 1, Orders: List[sampleOrder]{sampleOrder12}},
	},
	{
		name:    "order-list-native-types",
		status:  200,
		body:    `{"success":true,"result":{"total":1,"offset":0,"orders":[{"id":12,"number":"A-1001","customer_id":7,"placed":"2024-03-05 14:30:00","status":"paid","total":123.40,"currency":"EUR","shipped":null}]}}`,
		payload: new(sampleOrderPage),
		want:    sampleOrderPage{Total: 1, Orders: List[sampleOrder]{sampleOrder12}},
	},
	{
		name:    "order-list-empty",
		status:  200,
		body:    `{"success":true,"result":{"total":"0","offset":"0","orders":[]}}`,
		payload: new(sampleOrderPage),
		want:    sampleOrderPage{Orders: List[sampleOrder]{}},
	},
	{
		name:    "order-get-keyed-by-id",
		status:  200,
		body:    `{"success":true,"result":{"12":` + sampleOrderJSON + `}}`,
		payload: new(Map[sampleOrder]),
		want:    Map[sampleOrder]{"12": sampleOrder12},
	},
	{
		name:    "order-get-id-beyond-2-pow-53",
		status:  200,
		body:    `{"success":true,"result":{"9007199254740993":{"id":9007199254740993,"customer_id":"7","total":"5.00","placed":"2024-03-05","shipped":false}}}`,
		payload: new(Map[sampleOrder]),
		want: Map[sampleOrder]{"9007199254740993": {
			ID: "9007199254740993", CustomerID: "7", Total: "5.00", Placed: sampleWall(2024, 3, 5, 0, 0, 0, 0),
		}},
	},
	{
		name:    "order-get-empty-array",
		status:  200,
		body:    `{"success":true,"result":[]}`,
		payload: new(Map[sampleOrder]),
		want:    Map[sampleOrder]{},
	},
	{
		name:    "order-get-php-list",
		status:  200,
		body:    `{"success":true,"result":[` + sampleOrderJSON + `]}`,
		payload: new(Map[sampleOrder]),
		want:    Map[sampleOrder]{"0": sampleOrder12},
	},
	{
		name:   "order-items-with-gaps",
		status: 200,
		body: `{"success":true,"result":{"12":{"0":{"id":"1","order_id":"12","product_id":"3","qty":"2","unit_price":"9.90"},` +
			`"2":{"id":"3","order_id":"12","product_id":"4","qty":1,"unit_price":"0.50"}},"13":[]}}`,
		payload: new(Map[List[sampleItem]]),
		want: Map[List[sampleItem]]{
			"12": {
				{ID: "1", OrderID: "12", ProductID: "3", Qty: 2, UnitPrice: "9.90"},
				{ID: "3", OrderID: "12", ProductID: "4", Qty: 1, UnitPrice: "0.50"},
			},
			"13": {},
		},
	},
	{
		name:    "product-fetch-both-duplicates",
		status:  200,
		body:    `{"status":"ok","data":{"3":{"id":"3","0":"3","sku":"MUG-1","1":"MUG-1","name":"Mug","2":"Mug","price":"8.50","3":"8.50","currency":"EUR","4":"EUR","active":"1","5":"1"}}}`,
		payload: new(Map[sampleProduct]),
		want:    Map[sampleProduct]{"3": {ID: "3", SKU: "MUG-1", Name: "Mug", Price: "8.50", Currency: "EUR", Active: true}},
	},
	{
		name:    "product-search-native-types",
		status:  200,
		body:    `{"status":"ok","data":[{"id":3,"sku":"MUG-1","name":"Mug","price":8.5,"currency":"EUR","active":0}]}`,
		payload: new(List[sampleProduct]),
		want:    List[sampleProduct]{{ID: "3", SKU: "MUG-1", Name: "Mug", Price: "8.5", Currency: "EUR"}},
	},
	{
		name:    "invoice-success-string-one",
		status:  200,
		body:    `{"success":"1","data":{"12":{"id":"5","number":"INV-5","order_id":"12","issued":"2024-03-06 09:00:00","paid":"0000-00-00 00:00:00","amount_due":"123.40","currency":"EUR"}}}`,
		payload: new(Map[sampleInvoice]),
		want: Map[sampleInvoice]{"12": {
			ID: "5", Number: "INV-5", OrderID: "12", Issued: sampleWall(2024, 3, 6, 9, 0, 0, 0),
			AmountDue: "123.40", Currency: "EUR",
		}},
	},
	{
		name:    "null-and-false-for-absent",
		status:  200,
		body:    `{"status":"ok","data":{"id":"7","name":"Ann","email":"ann@example.com","phone":null,"created":"2020-01-02 03:04:05","last_login":false}}`,
		payload: new(sampleProfile),
		want:    sampleProfile{ID: "7", Name: "Ann", Email: "ann@example.com", Created: sampleWall(2020, 1, 2, 3, 4, 5, 0)},
	},
	{
		name:    "bom-and-newline-before-body",
		status:  200,
		body:    "\xEF\xBB\xBF\n" + sampleProfileOK,
		payload: new(sampleProfile),
		want:    sampleProfile7,
	},
	{
		name:    "newline-before-bom",
		status:  200,
		body:    "\n\xEF\xBB\xBF" + sampleProfileOK,
		payload: new(sampleProfile),
		want:    sampleProfile7,
	},
	{
		name:    "whitespace-around-body",
		status:  200,
		body:    "\r\n\t " + sampleProfileOK + "\n\n",
		payload: new(sampleProfile),
		want:    sampleProfile7,
	},
	{
		// PHP sends text/html unless the script sets a header. DecodeResponse never receives the
		// Content-Type header, so this body decodes whatever its value was.
		name:    "served-as-text-html",
		status:  200,
		body:    sampleProfileOK,
		payload: new(sampleProfile),
		want:    sampleProfile7,
	},
	{
		name:    "other-2xx-status",
		status:  201,
		body:    sampleProfileOK,
		payload: new(sampleProfile),
		want:    sampleProfile7,
	},
	{
		name:    "empty-error-is-no-failure",
		status:  200,
		body:    `{"error":"","success":true,"result":[]}`,
		payload: new(Map[sampleOrder]),
		want:    Map[sampleOrder]{},
	},
	{
		name:    "null-false-zero-error-is-no-failure",
		status:  200,
		body:    `{"error":null,"errors":false,"code":0,"status":"ok","data":[]}`,
		payload: new(Map[sampleOrder]),
		want:    Map[sampleOrder]{},
	},
	{
		name:    "data-preferred-over-result",
		status:  200,
		body:    `{"status":"ok","data":["a"],"result":["b"]}`,
		payload: new(List[String]),
		want:    List[String]{"a"},
	},
	{
		name:    "unknown-envelope-members-ignored",
		status:  200,
		body:    `{"status":"ok","time":0.0031,"version":"2.1","data":{"0":"a","2":"c"}}`,
		payload: new(List[String]),
		want:    List[String]{"a", "c"},
	},
	{
		name:    "null-payload-leaves-zero",
		status:  200,
		body:    `{"status":"ok","data":null}`,
		payload: new(sampleProfile),
		want:    sampleProfile{},
	},
	{
		name:    "false-payload-is-empty-map",
		status:  200,
		body:    `{"status":"ok","data":false}`,
		payload: new(Map[sampleProduct]),
		want:    Map[sampleProduct]{},
	},
}

func TestDecodeResponseSuccess(t *testing.T) {
	for _, tc := range decodeSuccessCases {
		t.Run(tc.name, func(t *testing.T) {
			payload := reflect.New(reflect.TypeOf(tc.payload).Elem())
			if err := DecodeResponse(tc.status, []byte(tc.body), payload.Interface()); err != nil {
				t.Fatalf("DecodeResponse: %v", err)
			}
			if got := payload.Elem().Interface(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("payload = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// decodeFailureCases are responses that DecodeResponse rejects. wantSnippet is whether the error
// must carry the start of the body, and wantCause is a text the cause must contain.
var decodeFailureCases = []struct {
	name        string
	status      int
	body        string
	wantErr     error
	wantMessage string
	wantSnippet bool
	wantCause   string
}{
	// HTTP statuses outside 2xx.
	{name: "status-401", status: 401, body: "Unauthorized", wantErr: ErrKeyRefused, wantSnippet: true},
	{name: "status-403", status: 403, body: `{"error":"Forbidden"}`, wantErr: ErrKeyRefused, wantSnippet: true},
	{name: "status-408", status: 408, body: "", wantErr: ErrTimeout},
	{name: "nginx-504-page", status: 504, body: sampleNginx504, wantErr: ErrTimeout, wantSnippet: true},
	{name: "nginx-502-page", status: 502, body: sampleNginx502, wantErr: ErrFault, wantSnippet: true},
	{name: "status-500-empty-body", status: 500, body: "", wantErr: ErrFault},
	{name: "status-500-with-envelope", status: 500, body: `{"status":"ok","data":[]}`, wantErr: ErrFault, wantSnippet: true},
	{name: "status-404", status: 404, body: "<h1>Not Found</h1>", wantErr: ErrFault, wantSnippet: true},
	{name: "status-302", status: 302, body: "", wantErr: ErrFault},
	{name: "no-status", status: 0, body: "", wantErr: ErrFault},

	// Bodies that are not one JSON object.
	{name: "status-200-empty-body", status: 200, body: "", wantErr: ErrFault, wantCause: "empty body"},
	{name: "status-200-whitespace-only", status: 200, body: "\xEF\xBB\xBF\n \n", wantErr: ErrFault, wantSnippet: true, wantCause: "empty body"},
	{name: "status-204-empty-body", status: 204, body: "", wantErr: ErrFault, wantCause: "empty body"},
	{name: "html-warning-before-json", status: 200, body: sampleHTMLNotice + `{"status":"ok","data":null}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "does not start"},
	{name: "text-warning-before-json", status: 200, body: "\nWarning: Undefined variable $x in /var/www/apis/order_api.php on line 3\n" + `{"success":true,"result":[]}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "does not start"},
	{name: "deprecation-before-json", status: 200, body: "\nDeprecated: Creation of dynamic property Order::$x is deprecated in /var/www/apis/order_api.php on line 9\n" + `{"success":true,"result":[]}`,
		wantErr: ErrFault, wantSnippet: true},
	{name: "fatal-error-status-200", status: 200, body: "<br />\n<b>Fatal error</b>:  Uncaught JsonException: Malformed UTF-8 characters, possibly incorrectly encoded in /var/www/apis/product_api.php:31",
		wantErr: ErrFault, wantSnippet: true},
	{name: "max-execution-time-status-200", status: 200, body: "\nFatal error: Maximum execution time of 30 seconds exceeded in /var/www/apis/order_api.php on line 52\n",
		wantErr: ErrFault, wantSnippet: true},
	{name: "truncated-json", status: 200, body: `{"status":"ok","data":{"id":"7","na`, wantErr: ErrFault, wantSnippet: true, wantCause: "unexpected EOF"},
	{name: "partial-output-then-fatal", status: 200, body: `{"success":true,"result":` + sampleHTMLNotice,
		wantErr: ErrFault, wantSnippet: true, wantCause: "invalid JSON"},
	{name: "notice-after-json", status: 200, body: `{"success":true,"result":[]}` + sampleHTMLNotice,
		wantErr: ErrFault, wantSnippet: true, wantCause: "after the value"},
	{name: "two-json-values", status: 200, body: `{"success":true,"result":[]}{"success":true,"result":[]}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "after the value"},
	{name: "bare-array", status: 200, body: `[{"id":"12"}]`, wantErr: ErrFault, wantSnippet: true, wantCause: "array"},
	{name: "no-data-or-result", status: 200, body: `{"status":"ok"}`, wantErr: ErrFault, wantSnippet: true, wantCause: "neither"},
	{name: "json-string-top-level", status: 200, body: `"ok"`, wantErr: ErrFault, wantSnippet: true},

	// Payloads that do not fit; the cause names the field.
	{name: "payload-bad-id", status: 200, body: `{"status":"ok","data":{"id":"x7","name":"Ann"}}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "sampleProfile.id"},
	{name: "payload-bad-money-in-row", status: 200, body: `{"success":true,"result":{"total":"1","offset":"0","orders":{"0":{"id":"12","total":"12,50"}}}}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "orders.0.total"},
	{name: "payload-float-id", status: 200, body: `{"status":"ok","data":{"id":9.223372036854776e+18}}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "sampleProfile.id"},
	{name: "payload-no-such-date", status: 200, body: `{"status":"ok","data":{"id":"7","created":"2024-02-30 10:00:00"}}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "created"},
	{name: "payload-false-for-record", status: 200, body: `{"status":"ok","data":false}`,
		wantErr: ErrFault, wantSnippet: true, wantCause: "bool"},

	// Failure envelopes with HTTP 200, one per file of the contract and per variant.
	{name: "account-status-fail", status: 200, body: `{"status":"fail","code":"login_failed","msg":"Wrong email or password"}`,
		wantErr: ErrLoginFailed, wantMessage: "Wrong email or password"},
	{name: "order-success-false", status: 200, body: `{"success":false,"code":"not_found","error":"Order not found"}`,
		wantErr: ErrNotFound, wantMessage: "Order not found"},
	{name: "product-status-error", status: 200, body: `{"status":"error","code":"invalid","message":"limit must be 1 to 100"}`,
		wantErr: ErrInvalidInput, wantMessage: "limit must be 1 to 100"},
	{name: "invoice-success-string-zero", status: 200, body: `{"success":"0","code":"invalid","error":"order_ids missing"}`,
		wantErr: ErrInvalidInput, wantMessage: "order_ids missing"},
	{name: "key-refused-error-only", status: 200, body: `{"error":"Invalid API key","code":"auth"}`,
		wantErr: ErrKeyRefused, wantMessage: "Invalid API key"},
	{name: "error-string-no-code", status: 200, body: `{"error":"Database unavailable"}`,
		wantErr: ErrFault, wantMessage: "Database unavailable"},
	{name: "error-true", status: 200, body: `{"error":true}`, wantErr: ErrFault},
	{name: "error-number", status: 200, body: `{"error":1,"msg":"db"}`, wantErr: ErrFault, wantMessage: "db"},
	{name: "error-list", status: 200, body: `{"error":["email is invalid"],"code":"invalid"}`, wantErr: ErrInvalidInput},
	{name: "error-object", status: 200, body: `{"error":{"code":"not_found","message":"No such order"}}`,
		wantErr: ErrNotFound, wantMessage: "No such order"},
	{name: "error-beside-ok-status", status: 200, body: `{"status":"ok","error":"boom","data":[]}`,
		wantErr: ErrFault, wantMessage: "boom"},
	{name: "status-failed-upper-case", status: 200, body: `{"status":"FAILED","msg":"x"}`, wantErr: ErrFault, wantMessage: "x"},
	{name: "status-ko", status: 200, body: `{"status":"ko","code":"AUTH"}`, wantErr: ErrKeyRefused},
	{name: "success-zero", status: 200, body: `{"success":0,"code":"not_found"}`, wantErr: ErrNotFound},
	{name: "success-false-string", status: 200, body: `{"success":"False","code":"invalid"}`, wantErr: ErrInvalidInput},
	{name: "success-empty-string", status: 200, body: `{"success":""}`, wantErr: ErrFault},
	{name: "success-null", status: 200, body: `{"success":null,"result":[]}`, wantErr: ErrFault},
	{name: "unknown-code", status: 200, body: `{"status":"fail","code":"db_down","msg":"try later"}`,
		wantErr: ErrFault, wantMessage: "try later"},
	{name: "numeric-code", status: 200, body: `{"success":false,"code":404}`, wantErr: ErrFault},
	{name: "failure-beside-payload", status: 200, body: `{"success":false,"code":"invalid","result":{"12":` + sampleOrderJSON + `}}`,
		wantErr: ErrInvalidInput},
	{name: "long-message-truncated", status: 200, body: `{"status":"fail","msg":"` + strings.Repeat("é", 400) + `"}`,
		wantErr: ErrFault, wantMessage: strings.Repeat("é", 256)},
}

func TestDecodeResponseFailure(t *testing.T) {
	for _, tc := range decodeFailureCases {
		t.Run(tc.name, func(t *testing.T) {
			var payload sampleProfile
			target := any(&payload)
			if strings.Contains(tc.body, `"orders"`) {
				target = new(sampleOrderPage)
			}
			err := DecodeResponse(tc.status, []byte(tc.body), target)

			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("DecodeResponse error = %v, want category %v", err, tc.wantErr)
			}
			var upErr *Error
			if !errors.As(err, &upErr) {
				t.Fatalf("DecodeResponse error %T, want *Error", err)
			}
			if upErr.Category != tc.wantErr {
				t.Errorf("Category = %v, want %v", upErr.Category, tc.wantErr)
			}
			if upErr.Status != tc.status {
				t.Errorf("Status = %d, want %d", upErr.Status, tc.status)
			}
			if upErr.API != "" || upErr.Op != "" {
				t.Errorf("API, Op = %q, %q; want both empty", upErr.API, upErr.Op)
			}
			if upErr.Message != tc.wantMessage {
				t.Errorf("Message = %q, want %q", upErr.Message, tc.wantMessage)
			}

			if len(upErr.Snippet) > maxSnippet {
				t.Errorf("Snippet holds %d bytes, want at most %d", len(upErr.Snippet), maxSnippet)
			}
			if tc.wantSnippet {
				want := tc.body[:min(len(tc.body), maxSnippet)]
				if upErr.Snippet != want {
					t.Errorf("Snippet = %q, want %q", upErr.Snippet, want)
				}
			} else if upErr.Snippet != "" {
				t.Errorf("Snippet = %q, want none", upErr.Snippet)
			}

			if tc.wantCause != "" && (upErr.Err == nil || !strings.Contains(upErr.Err.Error(), tc.wantCause)) {
				t.Errorf("cause = %v, want it to contain %q", upErr.Err, tc.wantCause)
			}
			if !reflect.ValueOf(target).Elem().IsZero() {
				t.Errorf("payload = %+v after an error, want it untouched", target)
			}
		})
	}
}

func TestDecodeResponseSnippet(t *testing.T) {
	page := "<html><body>" + strings.Repeat("Service unavailable. ", 200) + "</body></html>"
	cases := []struct {
		name string
		body string
		want string
	}{
		{name: "long-page-cut", body: page, want: page[:maxSnippet]},
		{name: "character-across-limit", body: strings.Repeat("a", maxSnippet-1) + "é", want: strings.Repeat("a", maxSnippet-1)},
		{name: "latin1-replaced", body: "Caf\xe9 closed", want: "Caf\uFFFD closed"},
		{name: "replacement-counted-whole", body: strings.Repeat("a", maxSnippet-2) + "\xff", want: strings.Repeat("a", maxSnippet-2)},
		{name: "bom-kept", body: "\xEF\xBB\xBFWarning: x", want: "\xEF\xBB\xBFWarning: x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := DecodeResponse(200, []byte(tc.body), new(sampleProfile))
			var upErr *Error
			if !errors.As(err, &upErr) {
				t.Fatalf("DecodeResponse error = %v, want *Error", err)
			}
			if upErr.Snippet != tc.want {
				t.Errorf("Snippet = %q, want %q", upErr.Snippet, tc.want)
			}
			if len(upErr.Snippet) > maxSnippet || !utf8.ValidString(upErr.Snippet) {
				t.Errorf("Snippet has %d bytes, valid UTF-8 %v; want at most %d valid bytes",
					len(upErr.Snippet), utf8.ValidString(upErr.Snippet), maxSnippet)
			}
		})
	}
}

func TestDecodeResponseKeepsPayloadOnError(t *testing.T) {
	before := Map[sampleOrder]{"1": {ID: "1", Total: "1.00"}}
	payload := Map[sampleOrder]{"1": {ID: "1", Total: "1.00"}}
	body := `{"success":true,"result":{"12":{"id":"12","total":"1.00"},"13":{"id":"13","total":"x"}}}`

	if err := DecodeResponse(200, []byte(body), &payload); !errors.Is(err, ErrFault) {
		t.Fatalf("DecodeResponse error = %v, want ErrFault", err)
	}
	if !reflect.DeepEqual(payload, before) {
		t.Errorf("payload = %+v after an error, want it unchanged %+v", payload, before)
	}
}

func TestDecodeResponseReplacesPayload(t *testing.T) {
	payload := Map[sampleOrder]{"1": {ID: "1"}}
	body := `{"success":true,"result":{"12":{"id":"12"}}}`

	if err := DecodeResponse(200, []byte(body), &payload); err != nil {
		t.Fatal(err)
	}
	if want := (Map[sampleOrder]{"12": {ID: "12"}}); !reflect.DeepEqual(payload, want) {
		t.Errorf("payload = %+v, want %+v without the earlier row", payload, want)
	}
}

func TestDecodeResponsePayloadArgument(t *testing.T) {
	body := []byte(`{"status":"ok","data":{"id":"7"}}`)
	cases := []struct {
		name    string
		payload any
		wantErr bool
	}{
		{name: "nil-skips-decoding", payload: nil},
		{name: "non-pointer", payload: sampleProfile{}, wantErr: true},
		{name: "nil-pointer", payload: (*sampleProfile)(nil), wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := DecodeResponse(200, body, tc.payload)
			if !tc.wantErr {
				if err != nil {
					t.Errorf("DecodeResponse: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrFault) {
				t.Errorf("DecodeResponse error = %v, want ErrFault", err)
			}
		})
	}

	// A nil payload still reports failure envelopes.
	if err := DecodeResponse(200, []byte(`{"success":false,"code":"auth"}`), nil); !errors.Is(err, ErrKeyRefused) {
		t.Errorf("DecodeResponse with nil payload = %v, want ErrKeyRefused", err)
	}
}
