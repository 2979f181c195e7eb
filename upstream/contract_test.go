package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The tests in this file run against a fake back office that breaks the contract in ways the
// example back office never does: rows filed under the wrong id, pages longer than requested,
// profiles without an email.

// answerBody responds to every request with body.
func answerBody(body string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) { fmt.Fprint(w, body) }
}

// checkFault fails t unless err is an ErrFault error whose text contains want and none of the
// record contents in secret.
func checkFault(t *testing.T, err error, want, secret string) {
	t.Helper()
	if !errors.Is(err, ErrFault) {
		t.Fatalf("error = %v, want the ErrFault category", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Errorf("error = %q contains record contents %q", err, secret)
	}
}

func TestListOrdersLongerThanLimitFakeBackOffice(t *testing.T) {
	order := func(id int) string {
		return fmt.Sprintf(`{"id":"%d","number":"A-%d","customer_id":"7","placed":"2024-03-01 10:00:00","status":"paid","total":"1.00","currency":"EUR"}`, id, id)
	}
	tests := []struct {
		name   string
		orders string
		want   int // orders returned, or -1 for a fault
	}{
		{"empty", `[]`, 0},
		{"exact", `[` + order(1) + `,` + order(2) + `]`, 2},
		{"shorter", `[` + order(1) + `]`, 1},
		{"longer", `[` + order(1) + `,` + order(2) + `,` + order(3) + `]`, -1},
		{"longer-with-gaps", `{"0":` + order(1) + `,"2":` + order(2) + `,"5":` + order(3) + `}`, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBackOffice(t, answerBody(`{"success":true,"result":{"total":"3","offset":"0","orders":`+tt.orders+`}}`))
			page, err := f.client(t, Config{}).ListOrders(context.Background(), "7", 0, 2)
			if tt.want < 0 {
				checkFault(t, err, "page of 3 orders for a limit of 2", "A-1")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Orders) != tt.want {
				t.Errorf("got %d orders, want %d", len(page.Orders), tt.want)
			}
		})
	}
}

func TestListOrdersSameIDTwiceFakeBackOffice(t *testing.T) {
	order := func(id, total string) string {
		return `{"id":"` + id + `","number":"A-SECRET","customer_id":"7","placed":"2024-03-01 10:00:00","status":"paid","total":"` + total + `","currency":"EUR"}`
	}
	tests := []struct {
		name   string
		orders string
		want   string // text of the fault, or "" when the call succeeds
	}{
		{"distinct", `[` + order("4998", "873.48") + `,` + order("4997", "0.01") + `]`, ""},
		{"same-id-twice", `[` + order("4998", "873.48") + `,` + order("4998", "0.01") + `]`, "list names id 4998 twice"},
		{"same-id-numeric-and-string", `[` + order("4998", "873.48") + `,` + strings.Replace(order("4998", "0.01"), `"4998"`, `4998`, 1) + `]`, "list names id 4998 twice"},
		{"same-id-with-gaps", `{"0":` + order("4998", "873.48") + `,"3":` + order("4998", "0.01") + `}`, "list names id 4998 twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBackOffice(t, answerBody(`{"success":true,"result":{"total":"2","offset":"0","orders":`+tt.orders+`}}`))
			page, err := f.client(t, Config{}).ListOrders(context.Background(), "7", 0, 2)
			if tt.want != "" {
				checkFault(t, err, tt.want, "SECRET")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Orders) != 2 {
				t.Errorf("got %d orders, want 2", len(page.Orders))
			}
		})
	}
}

func TestRowIDMismatchFakeBackOffice(t *testing.T) {
	product := func(id string) string {
		return `{` + id + `"sku":"SKU-SECRET","name":"Other","price":"1.00","currency":"EUR","active":"1"}`
	}
	order := func(id string) string {
		return `{` + id + `"number":"A-SECRET","customer_id":"7","placed":"2024-03-01 10:00:00","status":"paid","total":"1.00","currency":"EUR"}`
	}
	invoice := func(orderID string) string {
		return `{"id":"90","number":"INV-SECRET",` + orderID + `"issued":"2024-03-02 10:00:00","amount_due":"1.00","currency":"EUR"}`
	}
	item := func(orderID string) string {
		return `{"id":"40",` + orderID + `"product_id":"5","qty":"1","unit_price":"1.00"}`
	}
	ticket := func(ticketID string) string {
		return `{"id":"30","customer_id":"7","subject":"SECRET","status":"open","created":"2024-03-01 10:00:00",` +
			`"messages":[{"id":"31","ticket_id":"30","author":"customer","body":"SECRET","created":"2024-03-01 10:00:00"},` +
			`{"id":"32",` + ticketID + `"author":"staff","body":"SECRET","created":"2024-03-01 11:00:00"}]}`
	}
	products := func(c *Client) error { _, err := c.Products(context.Background(), []string{"5"}); return err }
	orders := func(c *Client) error { _, err := c.Orders(context.Background(), "7", []string{"12"}); return err }
	invoices := func(c *Client) error {
		_, err := c.InvoicesByOrders(context.Background(), "7", []string{"12"})
		return err
	}
	items := func(c *Client) error { _, err := c.OrderItems(context.Background(), "7", []string{"12"}); return err }
	tickets := func(c *Client) error { _, err := c.Tickets(context.Background(), "7"); return err }
	reply := func(c *Client) error {
		_, err := c.ReplyToTicket(context.Background(), "7", "0123456789abcdef", "30", "hello")
		return err
	}

	tests := []struct {
		name string
		body string
		call func(*Client) error
		want string // text of the fault, or "" when the call succeeds
	}{
		{"product-own-id", `{"status":"ok","data":{"5":` + product(`"id":"5",`) + `}}`, products, ""},
		{"product-numeric-id", `{"status":"ok","data":{"5":` + product(`"id":5,`) + `}}`, products, ""},
		{"product-pdo-duplicates", `{"status":"ok","data":{"5":` + product(`"id":"5","0":"77",`) + `}}`, products, ""},
		{"product-unrequested-key", `{"status":"ok","data":{"5":` + product(`"id":"5",`) + `,"6":` + product(`"id":"77",`) + `}}`, products, ""},
		{"product-other-id", `{"status":"ok","data":{"5":` + product(`"id":"77",`) + `}}`, products, "row for 5 names id 77"},
		{"product-without-id", `{"status":"ok","data":{"5":` + product(``) + `}}`, products, "row for 5 names id none"},
		{"product-null-id", `{"status":"ok","data":{"5":` + product(`"id":null,`) + `}}`, products, "row for 5 names id none"},
		{"product-list", `{"status":"ok","data":[` + product(`"id":"5",`) + `]}`, products, "row under a key that was not requested names id 5"},
		{"product-twice", `{"status":"ok","data":{"5":` + product(`"id":"5",`) + `,"6":` + product(`"id":"5",`) + `}}`, products, "row under a key that was not requested names id 5"},
		{"order-own-id", `{"success":true,"result":{"12":` + order(`"id":"12",`) + `}}`, orders, ""},
		{"order-other-id", `{"success":true,"result":{"12":` + order(`"id":"13",`) + `}}`, orders, "row for 12 names id 13"},
		{"invoice-own-order", `{"success":"1","data":{"12":` + invoice(`"order_id":"12",`) + `}}`, invoices, ""},
		{"invoice-other-order", `{"success":"1","data":{"12":` + invoice(`"order_id":"13",`) + `}}`, invoices, "row for 12 names order_id 13"},
		{"invoice-list", `{"success":"1","data":[` + invoice(`"order_id":"12",`) + `]}`, invoices, "row under a key that was not requested names order_id 12"},
		{"items-own-order-with-gaps", `{"success":true,"result":{"12":{"0":` + item(`"order_id":"12",`) + `,"2":` + strings.Replace(item(`"order_id":12,`), `"id":"40"`, `"id":"41"`, 1) + `}}}`, items, ""},
		{"items-other-order", `{"success":true,"result":{"12":[` + item(`"order_id":"12",`) + `,` + item(`"order_id":"13",`) + `]}}`, items, "row for 12 names order_id 13"},
		{"items-without-order", `{"success":true,"result":{"12":[` + item(``) + `]}}`, items, "row for 12 names order_id none"},
		{"items-list", `{"success":true,"result":[[` + item(`"order_id":"12",`) + `]]}`, items, "row under a key that was not requested names order_id 12"},
		{"items-other-key", `{"success":true,"result":{"99":[` + item(`"order_id":"12",`) + `]}}`, items, "row under a key that was not requested names order_id 12"},
		{"items-same-line-twice", `{"success":true,"result":{"12":[` + item(`"order_id":"12",`) + `,` + item(`"order_id":"12",`) + `]}}`, items, "list names id"},
		{"items-repeated-index", `{"success":true,"result":{"12":{"0":` + item(`"order_id":"12",`) + `,"0":` + item(`"order_id":"12",`) + `}}}`, items, "repeated key"},
		{"product-long-key-bad-row", `{"status":"ok","data":{"` + strings.Repeat("SECRET key ", 100) + `":{"id":"5","price":"x"}}}`, products, "key of 1100 bytes"},
		{"items-unrequested-order", `{"success":true,"result":{"99":[` + item(`"order_id":"99",`) + `]}}`, items, ""},
		{"product-same-key-twice", `{"status":"ok","data":{"5":` + product(`"id":"5",`) + `,"5":` + product(`"id":"5","name":"SECRET",`) + `}}`, products, "repeated key"},
		{"product-long-key", `{"status":"ok","data":{"` + strings.Repeat("SECRET key ", 100) + `":` + product(`"id":"5",`) + `}}`, products, "row under a key that was not requested names id 5"},
		{"tickets-own-messages", `{"error":0,"result":[` + ticket(`"ticket_id":"30",`) + `]}`, tickets, ""},
		{"tickets-other-ticket", `{"error":0,"result":[` + ticket(`"ticket_id":"29",`) + `]}`, tickets, "row for 30 names ticket_id 29"},
		{"tickets-same-id-twice", `{"error":0,"result":[` + ticket(`"ticket_id":"30",`) + `,` + ticket(`"ticket_id":"30",`) + `]}`, tickets, "list names id 30 twice"},
		{"reply-other-ticket", `{"error":0,"result":` + ticket(`"ticket_id":"29",`) + `}`, reply, "row for 30 names ticket_id 29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBackOffice(t, answerBody(tt.body))
			err := tt.call(f.client(t, Config{}))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error = %v, want none", err)
				}
				return
			}
			checkFault(t, err, tt.want, "SECRET")
		})
	}
}

func TestLoaderMismatchFailsBatchFakeBackOffice(t *testing.T) {
	f := newFakeBackOffice(t, answerBody(`{"status":"ok","data":{`+
		`"5":{"id":"77","sku":"SKU-77","name":"Other","price":"1.00","currency":"EUR","active":"1"},`+
		`"6":{"id":"6","sku":"SKU-6","name":"Six","price":"1.00","currency":"EUR","active":"1"}}}`))
	// The two products come from one batch of order lines, so they are fetched together at
	// once, and the hour-long batch window is never waited for. Retries are off, so that the
	// count below is of batches.
	l := NewLoaders(f.client(t, Config{Retries: -1}), LoaderConfig{Wait: hourWait})
	l.groupProducts(map[string]List[OrderItem]{"1": {{ProductID: "5"}, {ProductID: "6"}}})
	ctx, cancel := context.WithTimeout(context.Background(), guardDeadline)
	defer cancel()

	finishBeforeDeadline(t, ctx, func() {
		p, err := l.Product(ctx, "5")
		if p != nil {
			t.Errorf("product 5 = %+v, want none", p)
		}
		checkFault(t, err, "row for 5 names id 77", "Other")
		// The whole response breaks the contract, so the row filed correctly is not trusted either.
		if p, err := l.Product(ctx, "6"); !errors.Is(err, ErrFault) || p != nil {
			t.Errorf("product 6 = %+v, %v, want the ErrFault category", p, err)
		}
	})
	if n := f.count(productAPI); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

// TestContractFaultIsFaultFakeBackOffice checks that a response that breaks the contract counts
// as a fault in the metrics, and is sent again like a read with any other fault.
func TestContractFaultIsFaultFakeBackOffice(t *testing.T) {
	f := newFakeBackOffice(t, answerBody(`{"status":"ok","data":{`+
		`"5":{"id":"77","sku":"SKU-77","name":"Other","price":"1.00","currency":"EUR","active":"1"}}}`))
	var outcomes []string
	observe := func(api, op, outcome string) { outcomes = append(outcomes, api+" "+op+" "+outcome) }
	c := f.client(t, Config{Retries: 1, Observe: observe})

	_, err := c.Products(context.Background(), []string{"5"})
	checkFault(t, err, "row for 5 names id 77", "Other")
	want := []string{productAPI + " get fault", productAPI + " get fault"}
	if !slices.Equal(outcomes, want) {
		t.Errorf("outcomes = %q, want %q", outcomes, want)
	}
	if n := f.count(productAPI); n != 2 {
		t.Errorf("%d calls, want 2: the call and its retry", n)
	}
}

func TestLoginChecksFakeBackOffice(t *testing.T) {
	account := func(id, email string) string {
		return `{"status":"ok","data":{"customer_id":` + id + `,"name":"Example","email":` + email + `}}`
	}
	tests := []struct {
		name    string
		sent    string
		account string
		want    string // text of the fault, or "" when the call succeeds
	}{
		{"same-email", "ann@example.com", account(`"1"`, `"ann@example.com"`), ""},
		{"other-case", "Ann@Example.COM", account(`"1"`, `"ann@example.com"`), ""},
		{"spaces-around", " ann@example.com\t\n", account(`"1"`, `"ann@example.com"`), ""},
		{"numeric-id", "ann@example.com", account(`1`, `"ann@example.com"`), ""},
		{"other-account", "ann@example.com", account(`"2"`, `"bob@example.com"`), "account 2 has another email than the one sent"},
		{"prefix-of-email", "ann@example.com", account(`"2"`, `"ann@example.co"`), "account 2 has another email than the one sent"},
		{"null-email", "ann@example.com", account(`"2"`, `null`), "account 2 has another email than the one sent"},
		{"no-customer-id", "ann@example.com", account(`""`, `"ann@example.com"`), "answer without customer_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBackOffice(t, answerBody(tt.account))
			a, err := f.client(t, Config{}).Login(context.Background(), tt.sent, "pw")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error = %v, want none", err)
				}
				if a.CustomerID != "1" {
					t.Errorf("customer id = %q, want 1", a.CustomerID)
				}
				return
			}
			if a != nil {
				t.Errorf("account = %+v, want none", a)
			}
			checkFault(t, err, tt.want, "bob@")
			if strings.Contains(err.Error(), "ann@") {
				t.Errorf("error = %q contains the email that was sent", err)
			}
		})
	}
}

func TestProfileChecksFakeBackOffice(t *testing.T) {
	const rest = `"phone":"","street":"","postal_code":"","city":"","country":"","version":"3","created":"2024-01-01 10:00:00","last_login":"0000-00-00 00:00:00"`
	tests := []struct {
		name    string
		profile string
		want    string // text of the fault, or "" when the call succeeds
	}{
		{"complete", `{"id":"7","name":"Ann","email":"ann@example.com",` + rest + `}`, ""},
		{"empty-name", `{"id":"7","name":"","email":"ann@example.com",` + rest + `}`, ""},
		{"other-customer", `{"id":"8","name":"Bob","email":"bob@example.com",` + rest + `}`, "row for 7 names id 8"},
		{"all-null", `{"id":null,"name":null,"email":null,"version":null}`, "row for 7 names id none"},
		{"all-missing", `{}`, "row for 7 names id none"},
		{"no-email", `{"id":"7","name":"Ann","email":"",` + rest + `}`, "profile of 7 has no email"},
		{"false-email", `{"id":"7","name":"Ann","email":false,` + rest + `}`, "profile of 7 has no email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBackOffice(t, answerBody(`{"status":"ok","data":`+tt.profile+`}`))
			pr, err := f.client(t, Config{}).Profile(context.Background(), "7")
			switch {
			case tt.want == "":
				if err != nil {
					t.Fatalf("error = %v, want none", err)
				}
				if pr.ID != "7" {
					t.Errorf("id = %q, want 7", pr.ID)
				}
			default:
				checkFault(t, err, tt.want, "Bob")
			}
		})
	}
}

func TestUpdateProfileChecksFakeBackOffice(t *testing.T) {
	const rest = `"name":"Ann","phone":"","street":"","postal_code":"","city":"","country":"","version":"4"`
	tests := []struct {
		name    string
		outcome string
		profile string
		want    string
	}{
		{"updated-other-customer", "updated", `{"id":"8","email":"bob@example.com",` + rest + `}`, "row for 7 names id 8"},
		{"updated-no-email", "updated", `{"id":"7","email":"",` + rest + `}`, "profile of 7 has no email"},
		{"conflict-no-email", "conflict", `{"id":"7","email":null,` + rest + `}`, "profile of 7 has no email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBackOffice(t, answerBody(`{"status":"ok","data":{"outcome":"`+tt.outcome+`","profile":`+tt.profile+`}}`))
			_, err := f.client(t, Config{}).UpdateProfile(context.Background(), "7", "0123456789abcdef", ProfileUpdate{Version: 3, Name: "Ann"})
			checkFault(t, err, tt.want, "bob@")
			if errors.Is(err, ErrConflict) {
				t.Errorf("error = %v: a profile that fails the checks is no conflict", err)
			}
		})
	}
}
