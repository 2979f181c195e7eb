// Command load is the benchmark's load generator. It drives one peer (the gateway, the Apollo
// Server peer, the old PHP connector, or the upstream chain alone) with one page of the site, either closed-loop (a fixed
// number of connections, each sending its next page when the last one is answered) or
// open-loop (a fixed rate of pages per second), and prints throughput, latency percentiles,
// errors and the upstream calls per page. Latencies are per page: for the connector a page is
// several browser round trips, for the GraphQL peers one.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// options are the command line.
type options struct {
	peer        string
	baseURL     string
	page        string
	connections int
	rate        int
	duration    time.Duration
	warmup      time.Duration
	callsURL    string
	operations  string
	label       string
	format      string
	cpuPIDs     string
}

func main() {
	var o options
	flag.StringVar(&o.peer, "peer", "gateway", "`peer` to drive: gateway, apollo, connector, or chain (the page's upstream calls sent straight to the benchmark upstream, whose key is UPSTREAM_API_KEY)")
	flag.StringVar(&o.baseURL, "url", "http://127.0.0.1:8080", "base `URL` of the peer")
	flag.StringVar(&o.page, "page", "dashboard", "`page` to load: dashboard or detail")
	flag.IntVar(&o.connections, "connections", 50, "concurrent connections, each with its own login")
	flag.IntVar(&o.rate, "rate", 0, "pages per second; 0 sends each connection's next page as soon as the last is answered")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured `duration`")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before the measurement")
	flag.StringVar(&o.callsURL, "calls", "", "`URL` of the benchmark upstream's call count, or of the gateway's /metrics, to report upstream calls per page")
	flag.StringVar(&o.operations, "operations", ".", "repository `folder`, for the site's GraphQL operations")
	flag.StringVar(&o.label, "label", "", "name of this cell in the output")
	flag.StringVar(&o.format, "format", "text", "output `format`: text, json, or row (a Markdown table row)")
	flag.StringVar(&o.cpuPIDs, "cpu-pids", "", "space-separated `ids` of the peer's processes, to report their CPU time per page")
	flag.Parse()

	res, err := run(o)
	if err != nil {
		log.Fatal(err)
	}
	switch o.format {
	case "json":
		json.NewEncoder(os.Stdout).Encode(res)
		return
	case "row":
		fmt.Println(res.row())
		for _, e := range res.ErrorSamples {
			fmt.Fprintln(os.Stderr, "error:", e)
		}
		return
	}
	fmt.Printf("%s: %.0f pages/s, p50 %s, p99 %s, %d pages, %d errors, %.2f upstream calls/page, %d round trips/page, %s CPU/page\n",
		res.Label, res.PagesPerSecond, res.P50, res.P99, res.Pages, res.Errors, res.CallsPerPage, res.RoundTrips, res.cpuText())
	for _, e := range res.ErrorSamples {
		fmt.Println("  error:", e)
	}
}

// result is one measured cell.
type result struct {
	Label          string        `json:"label"`
	Peer           string        `json:"peer"`
	Page           string        `json:"page"`
	Connections    int           `json:"connections"`
	Rate           int           `json:"rate"`
	Pages          uint64        `json:"pages"`
	Errors         uint64        `json:"errors"`
	PagesPerSecond float64       `json:"pages_per_second"`
	P50            time.Duration `json:"p50"`
	P90            time.Duration `json:"p90"`
	P99            time.Duration `json:"p99"`
	Max            time.Duration `json:"max"`
	CallsPerPage   float64       `json:"upstream_calls_per_page"` // average under load
	CallsAlone     int64         `json:"upstream_calls_alone"`    // of one page with no other load
	RoundTrips     int           `json:"round_trips_per_page"`
	CPUPerPage     time.Duration `json:"cpu_per_page,omitempty"` // of the -cpu-pids processes
	ErrorSamples   []string      `json:"error_samples,omitempty"`

	// callsCounted is true when -calls was set. Without it the call columns print "-".
	callsCounted bool
}

func run(o options) (*result, error) {
	driver, err := newDriver(o)
	if err != nil {
		return nil, err
	}
	transport := &http.Transport{
		MaxIdleConns:        o.connections * 4,
		MaxIdleConnsPerHost: o.connections * 4,
		IdleConnTimeout:     time.Minute,
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	// Each connection logs in once and keeps its session, as a browser tab would.
	sessions := make([]string, o.connections)
	for i := range sessions {
		if sessions[i], err = driver.login(client); err != nil {
			return nil, fmt.Errorf("login of connection %d: %w", i, err)
		}
	}

	// Warm up, then measure.
	if o.warmup > 0 {
		drive(o, driver, client, sessions, o.warmup, nil)
	}
	probe, err := probeCalls(driver, client, sessions[0], o.callsURL)
	if err != nil {
		return nil, err
	}
	before, err := upstreamCalls(client, o.callsURL)
	if err != nil {
		return nil, err
	}
	cpuBefore, err := cpuTime(o.cpuPIDs)
	if err != nil {
		return nil, err
	}
	var metrics vegeta.Metrics
	elapsed, samples := drive(o, driver, client, sessions, o.duration, &metrics)
	cpuAfter, err := cpuTime(o.cpuPIDs)
	if err != nil {
		return nil, err
	}
	after, err := upstreamCalls(client, o.callsURL)
	if err != nil {
		return nil, err
	}
	metrics.Close()

	res := &result{
		Label: o.label, Peer: o.peer, Page: o.page, Connections: o.connections, Rate: o.rate,
		Pages:          metrics.Requests,
		Errors:         metrics.Requests - uint64(float64(metrics.Requests)*metrics.Success+0.5),
		PagesPerSecond: float64(metrics.Requests) * metrics.Success / elapsed.Seconds(),
		P50:            metrics.Latencies.P50,
		P90:            metrics.Latencies.P90,
		P99:            metrics.Latencies.P99,
		Max:            metrics.Latencies.Max,
		RoundTrips:     driver.roundTrips(),
		CallsAlone:     probe,
		ErrorSamples:   samples,
		callsCounted:   o.callsURL != "",
	}
	if res.Label == "" {
		res.Label = o.peer + " " + o.page
	}
	if o.callsURL != "" && metrics.Requests > 0 {
		res.CallsPerPage = float64(after-before) / float64(metrics.Requests)
	}
	if o.cpuPIDs != "" && metrics.Requests > 0 {
		res.CPUPerPage = (cpuAfter - cpuBefore) / time.Duration(metrics.Requests)
	}
	return res, nil
}

// drive loads pages for d and adds each to m when m is set. Pages that are under way when d
// ends are finished and counted, so that every upstream call made belongs to a counted page.
// It returns the time from start until the last page was answered, and up to five distinct
// error messages.
func drive(o options, driver driver, client *http.Client, sessions []string, d time.Duration, m *vegeta.Metrics) (time.Duration, []string) {
	var (
		mu      sync.Mutex
		samples []string
		wg      sync.WaitGroup
	)
	record := func(start time.Time, err error) {
		mu.Lock()
		defer mu.Unlock()
		if m == nil {
			return
		}
		r := vegeta.Result{Timestamp: start, Latency: time.Since(start), Code: 200}
		if err != nil {
			r.Code, r.Error = 0, err.Error()
			if len(samples) < 5 && !slices.Contains(samples, r.Error) {
				samples = append(samples, r.Error)
			}
		}
		m.Add(&r)
	}
	page := func(session string) {
		start := time.Now()
		err := driver.load(context.Background(), client, session)
		record(start, err)
	}

	began := time.Now()
	deadline := began.Add(d)
	if o.rate <= 0 {
		for _, session := range sessions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					page(session)
				}
			}()
		}
		wg.Wait()
		return time.Since(began), samples
	}

	// Open loop: vegeta's constant pacer returns when each page is due, and a late page is
	// still sent and measured, so a slow server cannot slow the load down. The sessions
	// take turns.
	pacer := vegeta.ConstantPacer{Freq: o.rate, Per: time.Second}
	for hits := uint64(0); ; {
		wait, stop := pacer.Pace(time.Since(began), hits)
		if stop || !time.Now().Before(deadline) {
			break
		}
		if wait > 0 {
			time.Sleep(wait)
			continue
		}
		wg.Add(1)
		go func(session string) {
			defer wg.Done()
			page(session)
		}(sessions[hits%uint64(len(sessions))])
		hits++
	}
	wg.Wait()
	return time.Since(began), samples
}

// upstreamCalls reads the benchmark upstream's call count, or 0 when rawURL is empty.
func upstreamCalls(client *http.Client, rawURL string) (int64, error) {
	if rawURL == "" {
		return 0, nil
	}
	resp, err := client.Get(rawURL)
	if err != nil {
		return 0, fmt.Errorf("reading the upstream call count: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.HasSuffix(rawURL, "/metrics") {
		return strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
	}

	// The gateway's own count, for runs against the PHP back office: the sum of
	// gateway_upstream_requests_total over its labels.
	var total float64
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "gateway_upstream_requests_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("reading the upstream call count: %q: %w", line, err)
		}
		total += v
	}
	return int64(total), nil
}

// probeCalls loads one page with no other load and returns the upstream calls it made, or 0
// when callsURL is empty.
func probeCalls(driver driver, client *http.Client, session, callsURL string) (int64, error) {
	if callsURL == "" {
		return 0, nil
	}
	before, err := upstreamCalls(client, callsURL)
	if err != nil {
		return 0, err
	}
	if err := driver.load(context.Background(), client, session); err != nil {
		return 0, fmt.Errorf("loading one page: %w", err)
	}
	after, err := upstreamCalls(client, callsURL)
	return after - before, err
}

// row formats r as a row of docs/performance.md's tables: label, connections or rate, pages
// per second, p50, p99, errors, upstream calls per page alone and under load, browser round
// trips per page, and the peer's CPU time per page.
func (r *result) row() string {
	load := fmt.Sprintf("%d connections", r.Connections)
	if r.Rate > 0 {
		load = fmt.Sprintf("%d pages/s", r.Rate)
	}
	alone, underLoad := "-", "-"
	if r.callsCounted {
		alone, underLoad = strconv.FormatInt(r.CallsAlone, 10), fmt.Sprintf("%.2f", r.CallsPerPage)
	}
	return fmt.Sprintf("| %s | %s | %.0f | %s | %s | %d of %d | %s | %s | %d | %s |",
		r.Label, load, r.PagesPerSecond, ms(r.P50), ms(r.P99), r.Errors, r.Pages, alone, underLoad, r.RoundTrips, r.cpuText())
}

// cpuText formats the CPU time per page, or "-" when it was not measured.
func (r *result) cpuText() string {
	if r.CPUPerPage == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f ms", float64(r.CPUPerPage)/float64(time.Millisecond))
}

// clockTicks is the unit of the CPU times in /proc/PID/stat: USER_HZ, which is 100 a second on
// x86 and arm Linux (getconf CLK_TCK prints it).
const clockTicks = 100

// cpuTime returns the CPU time, user and system, that the processes pids have used so far, or
// 0 when pids is empty.
func cpuTime(pids string) (time.Duration, error) {
	var total time.Duration
	for _, pid := range strings.Fields(pids) {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return 0, fmt.Errorf("reading the CPU time of process %s: %w", pid, err)
		}
		// The command name in parentheses may contain spaces; utime and stime are the 12th
		// and 13th fields after it.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 13 {
			return 0, fmt.Errorf("reading the CPU time of process %s: /proc/%[1]s/stat has too few fields", pid)
		}
		for _, field := range fields[11:13] {
			ticks, err := strconv.ParseInt(field, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("reading the CPU time of process %s: %w", pid, err)
			}
			total += time.Duration(ticks) * time.Second / clockTicks
		}
	}
	return total, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// driver loads the pages of one peer.
type driver interface {
	// login returns what identifies one connection's customer: a cookie header for the
	// GraphQL peers, the customer id for the connector.
	login(client *http.Client) (string, error)
	// load loads one whole page and fails when any part of it failed.
	load(ctx context.Context, client *http.Client, session string) error
	// roundTrips is the number of browser requests one page needs.
	roundTrips() int
}

func newDriver(o options) (driver, error) {
	switch o.peer {
	case "gateway", "apollo":
		return newGraphQLDriver(o)
	case "connector", "chain":
		if o.page != "dashboard" && o.page != "detail" {
			return nil, fmt.Errorf("page %q is unknown: use dashboard or detail", o.page)
		}
		d := &connectorDriver{base: o.baseURL, page: o.page}
		if o.peer == "chain" {
			d.key = os.Getenv("UPSTREAM_API_KEY")
			if d.key == "" {
				return nil, errors.New("UPSTREAM_API_KEY is missing: the chain peer sends the benchmark upstream's key")
			}
		}
		return d, nil
	}
	return nil, fmt.Errorf("peer %q is unknown: use gateway, apollo, connector or chain", o.peer)
}

// detailOrderID is the order the detail page shows: ann's newest, which has lines and an
// invoice in the fixtures.
const detailOrderID = "4998"

// graphQLDriver loads a page with one GraphQL request, as the site does through the gateway.
type graphQLDriver struct {
	endpoint   string
	origin     string
	body       []byte
	loginQuery string
}

func newGraphQLDriver(o options) (*graphQLDriver, error) {
	var file string
	var variables map[string]any
	switch o.page {
	case "dashboard":
		file, variables = "bench/operations/Dashboard.graphql", map[string]any{"first": 20}
	case "detail":
		file, variables = "web-example/site/operations/OrderDetail.graphql", map[string]any{"id": detailOrderID}
	default:
		return nil, fmt.Errorf("page %q is unknown: use dashboard or detail", o.page)
	}
	query, err := os.ReadFile(o.operations + "/" + file)
	if err != nil {
		return nil, err
	}
	login, err := os.ReadFile(o.operations + "/web-example/site/operations/Login.graphql")
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]any{"query": string(query), "variables": variables})
	u, err := url.Parse(o.baseURL)
	if err != nil {
		return nil, err
	}
	return &graphQLDriver{endpoint: o.baseURL + "/graphql", origin: u.Scheme + "://" + u.Host, body: body, loginQuery: string(login)}, nil
}

func (d *graphQLDriver) post(ctx context.Context, client *http.Client, cookie string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", d.origin)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

func (d *graphQLDriver) login(client *http.Client) (string, error) {
	// The site's own Login operation, because production executes trusted documents only.
	body, _ := json.Marshal(map[string]any{
		"query":     d.loginQuery,
		"variables": map[string]any{"email": "ann@example.com", "password": "demo-password"},
	})
	resp, raw, err := d.post(context.Background(), client, "", body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	cookies := resp.Cookies()
	if len(cookies) == 0 {
		return "", errors.New("the login set no cookie")
	}
	return cookies[0].Name + "=" + cookies[0].Value, nil
}

func (d *graphQLDriver) load(ctx context.Context, client *http.Client, cookie string) error {
	resp, raw, err := d.post(ctx, client, cookie, d.body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if bytes.Contains(raw, []byte(`"errors"`)) {
		return fmt.Errorf("graphql errors: %.200s", raw)
	}
	return nil
}

func (d *graphQLDriver) roundTrips() int { return 1 }

// connectorDriver loads a page the way the site's JavaScript did through the old connector:
// one browser request per upstream call, each level waiting for the ids of the one before.
// With a key, it sends the same calls straight to the benchmark upstream instead, which
// measures the least time the page's chain of calls takes on the machine.
type connectorDriver struct {
	base string
	page string
	key  string // the upstream's API key, for the chain peer; empty for the connector
}

func (d *connectorDriver) login(*http.Client) (string, error) {
	// The old site kept the customer id in the browser and sent it with every call.
	return "1", nil
}

func (d *connectorDriver) roundTrips() int {
	if d.key != "" {
		return 0 // the chain peer has no browser
	}
	if d.page == "dashboard" {
		return 5
	}
	return 4
}

// call sends one connector request and decodes its payload into out.
func (d *connectorDriver) call(ctx context.Context, client *http.Client, form url.Values, out any) error {
	target := d.base + "/connector.php"
	body := form
	if d.key != "" {
		target, body = d.upstreamCall(form)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", d.base+"/account/")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", form.Get("area"), form.Get("action"), resp.StatusCode)
	}
	var env struct {
		Status  any             `json:"status"`
		Success any             `json:"success"`
		Data    json.RawMessage `json:"data"`
		Result  json.RawMessage `json:"result"`
		Code    string          `json:"code"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: %w", form.Get("area"), form.Get("action"), err)
	}
	if env.Code != "" {
		return fmt.Errorf("%s %s: code %s", form.Get("area"), form.Get("action"), env.Code)
	}
	payload := env.Data
	if payload == nil {
		payload = env.Result
	}
	// PHP writes an empty answer as [] even where an object is expected.
	if out == nil || string(payload) == "[]" {
		return nil
	}
	return json.Unmarshal(payload, out)
}

// upstreamCall returns the benchmark upstream's URL and form for the connector request form,
// with the parameter names of docs/upstream-contract.md.
func (d *connectorDriver) upstreamCall(form url.Values) (string, url.Values) {
	v := url.Values{"key": {d.key}, "customer_id": form["customer"]}
	file := "order_api.php"
	switch form.Get("area") + " " + form.Get("action") {
	case "account profile":
		file = "account_api.php"
		v.Set("req", "profile")
	case "orders list":
		v.Set("req", "list")
		v.Set("offset", form.Get("start"))
		v.Set("limit", form.Get("count"))
	case "orders lines":
		v.Set("req", "items")
		v["order_ids[]"] = form["order[]"]
	case "orders get":
		v.Set("req", "get")
		v["ids[]"] = form["order[]"]
	case "invoices invoices":
		file = "invoice_api.php"
		v.Set("req", "by_orders")
		v["order_ids[]"] = form["order[]"]
	case "catalog get":
		file = "product_api.php"
		v.Set("req", "get")
		v["ids[]"] = form["product[]"]
	}
	return d.base + "/apis/" + file, v
}

// parallel runs fns at once, as a browser's Promise.all does, and returns the first error.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = fn() }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// itemRows is the payload of an items call: the lines of each order, keyed by order id.
type itemRows map[string]lineRows

// lineRows are the lines of one order. PHP writes them as an object keyed by position when
// their keys are not 0, 1, 2 and so on, as after array_filter, so both forms are read.
type lineRows []lineRow

type lineRow struct {
	ProductID string `json:"product_id"`
}

func (r *lineRows) UnmarshalJSON(b []byte) error {
	var list []lineRow
	if err := json.Unmarshal(b, &list); err == nil {
		*r = list
		return nil
	}
	var byKey map[string]lineRow
	if err := json.Unmarshal(b, &byKey); err != nil {
		return err
	}
	for _, row := range byKey {
		*r = append(*r, row)
	}
	return nil
}

func (d *connectorDriver) load(ctx context.Context, client *http.Client, customer string) error {
	var orderIDs []string
	if d.page == "dashboard" {
		var list struct {
			Orders []struct {
				ID string `json:"id"`
			} `json:"orders"`
		}
		err := parallel(
			func() error {
				return d.call(ctx, client, url.Values{"area": {"account"}, "action": {"profile"}, "customer": {customer}}, nil)
			},
			func() error {
				return d.call(ctx, client, url.Values{"area": {"orders"}, "action": {"list"}, "customer": {customer}, "start": {"0"}, "count": {"20"}}, &list)
			},
		)
		if err != nil {
			return err
		}
		for _, o := range list.Orders {
			orderIDs = append(orderIDs, o.ID)
		}
	} else {
		orderIDs = []string{detailOrderID}
	}

	// The lines and the invoices need the order ids; the detail page also fetches its order.
	var items itemRows
	form := func(action string) url.Values {
		v := url.Values{"area": {"orders"}, "action": {action}, "customer": {customer}}
		for _, id := range orderIDs {
			v.Add("order[]", id)
		}
		return v
	}
	fns := []func() error{
		func() error { return d.call(ctx, client, form("lines"), &items) },
		func() error {
			v := form("invoices")
			v.Set("area", "invoices")
			return d.call(ctx, client, v, nil)
		},
	}
	if d.page == "detail" {
		fns = append(fns, func() error { return d.call(ctx, client, form("get"), nil) })
	}
	if err := parallel(fns...); err != nil {
		return err
	}

	// The products need the lines.
	products := url.Values{"area": {"catalog"}, "action": {"get"}}
	seen := map[string]bool{}
	for _, lines := range items {
		for _, l := range lines {
			if !seen[l.ProductID] {
				seen[l.ProductID] = true
				products.Add("product[]", l.ProductID)
			}
		}
	}
	if len(seen) == 0 {
		return nil
	}
	return d.call(ctx, client, products, nil)
}
