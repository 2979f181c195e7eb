package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The customer's writes, against the example back office: optimistic concurrency on the
// profile, idempotency keys on every write, OUTCOME_UNKNOWN after a timeout, ownership.
// The tests change only ann's and bob's phone, address and tickets, which no other test reads.

const profileQuery = `{ me { id profile { version name phone address { street postalCode city country } } } }`

const updateProfileMutation = `mutation($key: String!, $input: UpdateProfileInput!) {
  updateProfile(idempotencyKey: $key, input: $input) {
    profile { version name phone address { street postalCode city country } }
  }
}`

const openTicketMutation = `mutation($key: String!, $input: OpenTicketInput!) {
  openTicket(idempotencyKey: $key, input: $input) {
    ticket { id subject status messages { author body } }
  }
}`

const replyMutation = `mutation($key: String!, $input: ReplyToTicketInput!) {
  replyToTicket(idempotencyKey: $key, input: $input) { ticket { id messages { body } } }
}`

// shortTimeout is the upstream timeout of the gateways that force a timeout, and
// slowBackOffice the delay of the back office's slow fault mode, well beyond it. Logins and
// reads through those gateways must still finish within shortTimeout.
const (
	shortTimeout   = 750 * time.Millisecond
	slowBackOffice = 2500 * time.Millisecond
)

const ticketsQuery = `{ tickets { id subject status messages { author body } } }`

type profileData struct {
	Version int
	Name    string
	Phone   string
	Address struct{ Street, PostalCode, City, Country string }
}

type ticketData struct {
	ID       string
	Subject  string
	Status   string
	Messages []struct{ Author, Body string }
}

// newKey returns a fresh idempotency key shaped like the site's crypto.randomUUID() keys.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func readProfile(t *testing.T, b *browser) profileData {
	t.Helper()
	r := b.query(profileQuery, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("profile: errors %+v", r.Errors)
	}
	var d struct{ Me struct{ Profile profileData } }
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.Me.Profile
}

func profileInput(p profileData, phone string) map[string]any {
	return map[string]any{
		"version": p.Version,
		"name":    p.Name,
		"phone":   phone,
		"address": map[string]any{"street": p.Address.Street, "postalCode": p.Address.PostalCode, "city": p.Address.City, "country": p.Address.Country},
	}
}

func readTickets(t *testing.T, b *browser) []ticketData {
	t.Helper()
	r := b.query(ticketsQuery, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("tickets: errors %+v", r.Errors)
	}
	var d struct{ Tickets []ticketData }
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.Tickets
}

// postConcurrently sends one operation with the given cookie from any goroutine and returns
// the decoded response or an error, never failing the test itself.
func postConcurrently(g *testGateway, cookie *http.Cookie, query string, variables map[string]any) (*gqlResponse, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	req, _ := http.NewRequest("POST", g.public.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", g.origin)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("status %d, body %s: %w", resp.StatusCode, raw, err)
	}
	return &out, nil
}

func TestProfileConcurrentStaleUpdates(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	seen := readProfile(t, b)

	// Two tabs saved from the same version at the same time.
	phones := []string{"+49 30 1111111", "+49 30 2222222"}
	responses := make([]*gqlResponse, len(phones))
	errs := make([]error, len(phones))
	var wg sync.WaitGroup
	for i, phone := range phones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			responses[i], errs[i] = postConcurrently(g, b.cookie, updateProfileMutation,
				map[string]any{"key": newKey(), "input": profileInput(seen, phone)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}

	winner, loser := -1, -1
	for i, r := range responses {
		switch codes := r.codes(); {
		case len(codes) == 0:
			winner = i
		case len(codes) == 1 && codes[0] == "CONFLICT":
			loser = i
		default:
			t.Fatalf("update %d: codes %v, errors %+v", i, codes, r.Errors)
		}
	}
	if winner < 0 || loser < 0 {
		t.Fatalf("want one success and one CONFLICT; got winner %d, loser %d", winner, loser)
	}

	var won struct{ UpdateProfile struct{ Profile profileData } }
	json.Unmarshal(responses[winner].Data, &won)
	if won.UpdateProfile.Profile.Version != seen.Version+1 || won.UpdateProfile.Profile.Phone != phones[winner] {
		t.Errorf("winner's profile = %+v, want version %d and phone %q", won.UpdateProfile.Profile, seen.Version+1, phones[winner])
	}

	current, _ := json.Marshal(responses[loser].Errors[0].Extensions["current"])
	var stored profileData
	if err := json.Unmarshal(current, &stored); err != nil {
		t.Fatalf("extensions.current = %s: %v", current, err)
	}
	if stored.Phone != phones[winner] || stored.Version != seen.Version+1 || stored.Name != seen.Name {
		t.Errorf("extensions.current = %s, want the winner's profile", current)
	}
	if string(responses[loser].Data) != "null" {
		t.Errorf("conflict data = %s, want null", responses[loser].Data)
	}

	if after := readProfile(t, b); after.Phone != phones[winner] || after.Version != seen.Version+1 {
		t.Errorf("stored profile = %+v, want the winner's", after)
	}
}

func TestProfileStaleVersionConflict(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	seen := readProfile(t, b)

	first := b.query(updateProfileMutation, map[string]any{"key": newKey(), "input": profileInput(seen, "+49 30 3333333")})
	if len(first.Errors) > 0 {
		t.Fatalf("first update: errors %+v", first.Errors)
	}

	// A second tab still shows the version before the first update.
	body := mustJSON(t, map[string]any{"query": updateProfileMutation, "variables": map[string]any{
		"key": newKey(), "input": profileInput(seen, "+49 30 4444444")}})
	_, raw := b.post(body, nil)
	current := fmt.Sprintf(`{"version":%d,"name":%q,"phone":"+49 30 3333333","address":{"street":%q,"postalCode":%q,"city":%q,"country":%q}}`,
		seen.Version+1, seen.Name, seen.Address.Street, seen.Address.PostalCode, seen.Address.City, seen.Address.Country)
	want := `{"errors":[{"message":"Your profile was changed since you opened it. Review the current values and save again.","path":["updateProfile"],"locations":[{"line":2,"column":3}],"extensions":{"code":"CONFLICT","current":` + current + `,"requestId":""}}],"data":null}`
	if got := withoutRequestIDs(raw); got != want {
		t.Errorf("stale update:\n got %s\nwant %s", got, want)
	}
	if after := readProfile(t, b); after.Phone != "+49 30 3333333" {
		t.Errorf("stored phone = %q, want the first update's", after.Phone)
	}
}

func TestTicketSubmittedThreeTimesOnce(t *testing.T) {
	short := newTestGatewayWithTimeout(t, false, shortTimeout)
	b := short.browser()
	b.login("bob@example.com")
	subject := "Parcel missing " + newKey()
	vars := map[string]any{"key": newKey(), "input": map[string]any{"subject": subject, "message": "My parcel\nhas not arrived."}}

	// First send: the back office is slower than the gateway's timeout, so the response is
	// lost after the request went out.
	setFaults(t, map[string]string{"support_api.php": fmt.Sprintf("slow:%d", slowBackOffice.Milliseconds())})
	before := short.upstreamCalls("support_api.php")
	r := b.query(openTicketMutation, vars)
	if got := r.codes(); len(got) != 1 || got[0] != "OUTCOME_UNKNOWN" {
		t.Fatalf("first send: codes = %v, want [OUTCOME_UNKNOWN]", got)
	}
	setFaults(t, map[string]string{})
	if calls := short.upstreamCalls("support_api.php") - before; calls != 1 {
		t.Errorf("first send made %v upstream calls, want 1", calls)
	}

	// Second and third send, as the site retries the same submission with the same key.
	// Waiting out the slow request first makes the third send meet the first one's stored
	// response; the second may overtake it, and the key must hold either way.
	var ids []string
	for i := range 2 {
		if i == 1 {
			time.Sleep(slowBackOffice)
		}
		r := b.query(openTicketMutation, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("send %d: errors %+v", i+2, r.Errors)
		}
		var d struct{ OpenTicket struct{ Ticket ticketData } }
		json.Unmarshal(r.Data, &d)
		if d.OpenTicket.Ticket.Subject != subject || len(d.OpenTicket.Ticket.Messages) != 1 {
			t.Errorf("send %d: ticket = %+v", i+2, d.OpenTicket.Ticket)
		}
		ids = append(ids, d.OpenTicket.Ticket.ID)
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("ticket ids = %v, want the same id twice", ids)
	}

	count := 0
	for _, ticket := range readTickets(t, b) {
		if ticket.Subject == subject {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d tickets with the subject, want 1", count)
	}
}

func TestMutationTimeoutIsOutcomeUnknown(t *testing.T) {
	short := newTestGatewayWithTimeout(t, false, shortTimeout)
	b := short.browser()
	b.login("bob@example.com")
	seen := readProfile(t, b)
	vars := map[string]any{"key": newKey(), "input": profileInput(seen, "+49 40 5550001")}

	setFaults(t, map[string]string{"account_api.php": fmt.Sprintf("slow:%d", slowBackOffice.Milliseconds())})
	before := short.upstreamOutcomes("account_api.php")
	resp, raw := b.post(mustJSON(t, map[string]any{"query": updateProfileMutation, "variables": vars}), nil)
	setFaults(t, map[string]string{})
	after := short.upstreamOutcomes("account_api.php")

	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	want := `{"errors":[{"message":"We could not confirm that your change was saved. Send it again: it will not be applied twice.","path":["updateProfile"],"locations":[{"line":2,"column":3}],"extensions":{"code":"OUTCOME_UNKNOWN","requestId":""}}],"data":null}`
	if got := withoutRequestIDs(raw); got != want {
		t.Errorf("response:\n got %s\nwant %s", got, want)
	}
	calls := 0.0
	for outcome, n := range after {
		calls += n - before[outcome]
	}
	if calls != 1 {
		t.Errorf("%v upstream calls, want exactly 1", calls)
	}
	if n := after["outcome_unknown"] - before["outcome_unknown"]; n != 1 {
		t.Errorf("outcome_unknown calls = %v, want 1", n)
	}

	// The site resends with the same key: the update is applied once, and the resend gets its
	// result instead of a conflict with its own first attempt.
	time.Sleep(slowBackOffice)
	r := b.query(updateProfileMutation, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("resend: errors %+v", r.Errors)
	}
	if got := readProfile(t, b); got.Version != seen.Version+1 || got.Phone != "+49 40 5550001" {
		t.Errorf("profile after resend = %+v, want version %d", got, seen.Version+1)
	}
}

func TestMutationOnOtherCustomersTicket(t *testing.T) {
	g := newTestGateway(t, false)
	ann, bob := g.browser(), g.browser()
	ann.login("ann@example.com")
	bob.login("bob@example.com")

	r := ann.query(openTicketMutation, map[string]any{"key": newKey(), "input": map[string]any{"subject": "Invoice question", "message": "Which invoice?"}})
	if len(r.Errors) > 0 {
		t.Fatalf("open: errors %+v", r.Errors)
	}
	var d struct{ OpenTicket struct{ Ticket ticketData } }
	json.Unmarshal(r.Data, &d)
	annsTicket := d.OpenTicket.Ticket.ID

	reply := func(b *browser, id string) string {
		body := mustJSON(t, map[string]any{"query": replyMutation, "variables": map[string]any{
			"key": newKey(), "input": map[string]any{"ticketId": id, "message": "Give me your data."}}})
		_, raw := b.post(body, nil)
		return withoutRequestIDs(raw)
	}
	want := `{"errors":[{"message":"Not found.","path":["replyToTicket"],"locations":[{"line":2,"column":3}],"extensions":{"code":"NOT_FOUND","requestId":""}}],"data":null}`
	if got := reply(bob, annsTicket); got != want {
		t.Errorf("bob replies to ann's ticket:\n got %s\nwant %s", got, want)
	}
	if got := reply(bob, "999999"); got != want {
		t.Errorf("bob replies to a missing ticket:\n got %s\nwant %s", got, want)
	}
	for _, ticket := range readTickets(t, bob) {
		if ticket.ID == annsTicket {
			t.Errorf("bob's tickets list ann's ticket %s", annsTicket)
		}
	}
	for _, ticket := range readTickets(t, ann) {
		if ticket.ID == annsTicket && len(ticket.Messages) != 1 {
			t.Errorf("ann's ticket has %d messages, want 1", len(ticket.Messages))
		}
	}

	// Ann's own reply works.
	if got := reply(ann, annsTicket); !strings.Contains(got, `"Give me your data."`) {
		t.Errorf("ann's reply: %s", got)
	}
}

func TestIdempotencyKeyIsPerCustomer(t *testing.T) {
	g := newTestGateway(t, false)
	ann, bob := g.browser(), g.browser()
	ann.login("ann@example.com")
	bob.login("bob@example.com")
	key := newKey()
	input := map[string]any{"subject": "Same key", "message": "Hello"}

	r := ann.query(openTicketMutation, map[string]any{"key": key, "input": input})
	if len(r.Errors) > 0 {
		t.Fatalf("ann: errors %+v", r.Errors)
	}
	var annT, bobT struct{ OpenTicket struct{ Ticket ticketData } }
	json.Unmarshal(r.Data, &annT)

	// The same key from another customer opens that customer's own ticket, never returns ann's.
	r = bob.query(openTicketMutation, map[string]any{"key": key, "input": input})
	if len(r.Errors) > 0 {
		t.Fatalf("bob: errors %+v", r.Errors)
	}
	json.Unmarshal(r.Data, &bobT)
	if bobT.OpenTicket.Ticket.ID == annT.OpenTicket.Ticket.ID {
		t.Errorf("bob got ann's ticket %s", annT.OpenTicket.Ticket.ID)
	}

	// The same key with other values is the client's mistake.
	r = ann.query(openTicketMutation, map[string]any{"key": key, "input": map[string]any{"subject": "Same key", "message": "Changed"}})
	if got := r.codes(); len(got) != 1 || got[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "idempotencyKey" {
		t.Errorf("reused key: errors %+v", r.Errors)
	}
}

func TestMutationInputValidation(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	seen := readProfile(t, b)

	profile := func(change func(in map[string]any)) map[string]any {
		in := profileInput(seen, "+49 30 1234567")
		change(in)
		return in
	}
	address := func(field, value string) func(map[string]any) {
		return func(in map[string]any) { in["address"].(map[string]any)[field] = value }
	}
	tests := []struct {
		name      string
		query     string
		key       string
		input     map[string]any
		wantField string
	}{
		{"key-too-short", updateProfileMutation, "short", profile(func(map[string]any) {}), "idempotencyKey"},
		{"key-bad-characters", updateProfileMutation, "0123456789abcdef!", profile(func(map[string]any) {}), "idempotencyKey"},
		{"version-zero", updateProfileMutation, "", profile(func(in map[string]any) { in["version"] = 0 }), "input.version"},
		{"name-empty", updateProfileMutation, "", profile(func(in map[string]any) { in["name"] = "   " }), "input.name"},
		{"name-too-long", updateProfileMutation, "", profile(func(in map[string]any) { in["name"] = strings.Repeat("ä", 101) }), "input.name"},
		{"name-control-char", updateProfileMutation, "", profile(func(in map[string]any) { in["name"] = "Ann\nExample" }), "input.name"},
		{"phone-letters", updateProfileMutation, "", profile(func(in map[string]any) { in["phone"] = "call me" }), "input.phone"},
		{"phone-too-long", updateProfileMutation, "", profile(func(in map[string]any) { in["phone"] = strings.Repeat("1", 31) }), "input.phone"},
		{"street-too-long", updateProfileMutation, "", profile(address("street", strings.Repeat("x", 201))), "input.address.street"},
		{"postal-code-too-long", updateProfileMutation, "", profile(address("postalCode", strings.Repeat("1", 21))), "input.address.postalCode"},
		{"city-too-long", updateProfileMutation, "", profile(address("city", strings.Repeat("x", 101))), "input.address.city"},
		{"country-lowercase", updateProfileMutation, "", profile(address("country", "de")), "input.address.country"},
		{"country-user-assigned", updateProfileMutation, "", profile(address("country", "XX")), "input.address.country"},
		{"country-unknown", updateProfileMutation, "", profile(address("country", "QQ")), "input.address.country"},
		{"name-zero-width-only", updateProfileMutation, "", profile(func(in map[string]any) { in["name"] = "\u200b\u200b" }), "input.name"},
		{"name-bidi-override", updateProfileMutation, "", profile(func(in map[string]any) { in["name"] = "Ann \u202eelpmaxE" }), "input.name"},
		{"subject-line-separator", openTicketMutation, "", map[string]any{"subject": "a\u2028b", "message": "x"}, "input.subject"},
		{"message-bidi-isolate", openTicketMutation, "", map[string]any{"subject": "s", "message": "pay \u2066here\u2069"}, "input.message"},
		{"subject-empty", openTicketMutation, "", map[string]any{"subject": "", "message": "x"}, "input.subject"},
		{"subject-two-lines", openTicketMutation, "", map[string]any{"subject": "a\nb", "message": "x"}, "input.subject"},
		{"message-too-long", openTicketMutation, "", map[string]any{"subject": "s", "message": strings.Repeat("x", 5001)}, "input.message"},
		{"ticket-id-malformed", replyMutation, "", map[string]any{"ticketId": "1x", "message": "x"}, "input.ticketId"},
		{"reply-empty", replyMutation, "", map[string]any{"ticketId": "1", "message": " "}, "input.message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == "" {
				key = newKey()
			}
			before := g.upstreamCalls("")
			r := b.query(tt.query, map[string]any{"key": key, "input": tt.input})
			if got := r.codes(); len(got) != 1 || got[0] != "BAD_USER_INPUT" {
				t.Fatalf("codes = %v, want [BAD_USER_INPUT]", got)
			}
			if got := r.Errors[0].Extensions["field"]; got != tt.wantField {
				t.Errorf("extensions.field = %v, want %s", got, tt.wantField)
			}
			if after := g.upstreamCalls(""); after != before {
				t.Errorf("%v upstream calls were made", after-before)
			}
		})
	}
}

func TestMutationsNeedLoginAndSameSite(t *testing.T) {
	g := newTestGateway(t, false)
	anonymous := g.browser()
	vars := map[string]any{"key": newKey(), "input": map[string]any{"subject": "s", "message": "m"}}
	before := g.upstreamCalls("")
	r := anonymous.query(openTicketMutation, vars)
	if got := r.codes(); len(got) != 1 || got[0] != "UNAUTHENTICATED" {
		t.Errorf("anonymous: codes = %v, want [UNAUTHENTICATED]", got)
	}

	b := g.browser()
	b.login("ann@example.com")
	afterLogin := g.upstreamCalls("")
	resp, _ := b.post(mustJSON(t, map[string]any{"query": openTicketMutation, "variables": vars}), http.Header{"Origin": {"https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site mutation: status %d, want 403", resp.StatusCode)
	}
	if calls := g.upstreamCalls("") - afterLogin; calls != 0 {
		t.Errorf("cross-site mutation made %v upstream calls", calls)
	}
	if calls := afterLogin - before; calls != 1 {
		t.Errorf("anonymous mutation and login made %v upstream calls, want only the login's", calls)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A write whose answer is spoiled after the request went out may have been applied, whatever
// the status: PHP may commit before a notice, a failed json_encode or a cut body. The customer
// must get OUTCOME_UNKNOWN, so that the site resends with the same key instead of a new one.
func TestWriteWithSpoiledAnswerIsOutcomeUnknown(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("bob@example.com")
	for _, mode := range []string{"truncated", "empty200", "notice", "html502", "empty500"} {
		t.Run(mode, func(t *testing.T) {
			subject := "Spoiled answer " + mode + " " + newKey()
			vars := map[string]any{"key": newKey(), "input": map[string]any{"subject": subject, "message": "Hello."}}
			setFaults(t, map[string]string{"support_api.php": mode})
			r := b.query(openTicketMutation, vars)
			if got := r.codes(); len(got) != 1 || got[0] != "OUTCOME_UNKNOWN" {
				t.Fatalf("codes = %v, want [OUTCOME_UNKNOWN]", got)
			}
			setFaults(t, map[string]string{})

			// The resend with the same key returns the ticket, created once.
			r = b.query(openTicketMutation, vars)
			if len(r.Errors) > 0 {
				t.Fatalf("resend: errors %+v", r.Errors)
			}
			count := 0
			for _, ticket := range readTickets(t, b) {
				if ticket.Subject == subject {
					count++
				}
			}
			if count != 1 {
				t.Errorf("%d tickets with the subject, want 1", count)
			}
		})
	}
}

// closeTicket closes a ticket in the back office's database, as staff would.
func closeTicket(t *testing.T, id string) {
	t.Helper()
	script := `$db = new PDO('sqlite:' . $argv[1]); $db->prepare("UPDATE tickets SET status = 'closed' WHERE id = ?")->execute([$argv[2]]);`
	if out, err := exec.Command("php", "-r", script, backOffice.db, id).CombinedOutput(); err != nil {
		t.Fatalf("closing ticket %s: %v: %s", id, err, out)
	}
}

func TestReplyToClosedTicketIsConflict(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("bob@example.com")
	r := b.query(openTicketMutation, map[string]any{"key": newKey(), "input": map[string]any{"subject": "Closed soon", "message": "Hello."}})
	var d struct{ OpenTicket struct{ Ticket ticketData } }
	json.Unmarshal(r.Data, &d)
	id := d.OpenTicket.Ticket.ID
	if id == "" {
		t.Fatalf("no ticket opened: %+v", r.Errors)
	}
	closeTicket(t, id)

	g.logs.Reset()
	r = b.query(replyMutation, map[string]any{"key": newKey(), "input": map[string]any{"ticketId": id, "message": "Anyone there?"}})
	if got := r.codes(); len(got) != 1 || got[0] != "CONFLICT" {
		t.Errorf("codes = %v, want [CONFLICT]", got)
	}
	if strings.Contains(g.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a refused reply was logged as an error: %s", g.logs.String())
	}
}
