#!/usr/bin/env bash
# Measures the gateway side by side with its peers and writes docs/performance.md.
#
# The gateway and each peer in turn run pinned to CPU GATEWAY_CPU, the load generator and the
# benchmark upstream to LOAD_CPU. Every peer serves the same pages from the same upstream,
# once with no upstream latency and once with 5 ms per call.
#
# BENCH_DURATION     measured time per cell (default 20s)
# BENCH_WARMUP       unmeasured load before each cell (default 5s)
# BENCH_CONNECTIONS  concurrent connections of the throughput cells (default 50)
# BENCH_OUT          the report (default docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

: "${BENCH_DURATION:=20s}"
: "${BENCH_WARMUP:=5s}"
: "${BENCH_CONNECTIONS:=50}"
: "${BENCH_MEMORY_CONNECTIONS:=500}"
: "${BENCH_OUT:=docs/performance.md}"
BENCH_KEY=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
trap stop_all EXIT INT TERM

bench_deps
bench_build
machine_text=$(machine)
load_before=$(cut -d' ' -f1 /proc/loadavg)
results="$BENCH_STATE/results.md"
: >"$results"

# measure PEER PORT PAGE CONNECTIONS LABEL prints one table row, with the CPU time per page
# of the peer's process (peer_pid) and its php -S workers.
measure() {
	taskset -c "$LOAD_CPU" "$BENCH_STATE/load" -peer "$1" -url "http://$BENCH_HOST:$2" -page "$3" \
		-connections "$4" -duration "$BENCH_DURATION" -warmup "$BENCH_WARMUP" \
		-calls "http://$BENCH_HOST:$UPSTREAM_PORT/calls" -label "$5" -format row \
		-cpu-pids "${peer_pid:+$peer_pid $(pgrep -P "$peer_pid" | tr '\n' ' ')}"
}

# start_peer NAME starts the gateway or a peer in front of the benchmark upstream and sets
# peer_pid and peer_port.
start_peer() {
	local api="http://$BENCH_HOST:$UPSTREAM_PORT/apis/"
	case $1 in
	gateway)
		BATCH_WAIT="${2:-}" MAX_INFLIGHT="${3:-}" start_gateway "$api"
		peer_pid=$gateway_pid peer_port=$GATEWAY_PORT
		;;
	apollo)
		UPSTREAM_URL="$api" UPSTREAM_API_KEY="$BENCH_KEY" PORT="$APOLLO_PORT" NODE_ENV=production \
			start apollo "$GATEWAY_CPU" node bench/apollo/server.js
		peer_pid=$last_pid peer_port=$APOLLO_PORT
		;;
	connector)
		# Eight workers, as a small PHP-FPM pool would have; a single php -S process would
		# serve one request at a time.
		CONNECTOR_UPSTREAM="$api" CONNECTOR_KEY="$BENCH_KEY" CONNECTOR_ORIGIN="http://$BENCH_HOST:$CONNECTOR_PORT" \
		PHP_CLI_SERVER_WORKERS=8 \
			start connector "$GATEWAY_CPU" php -S "$BENCH_HOST:$CONNECTOR_PORT" bench/connector/connector.php
		peer_pid=$last_pid peer_port=$CONNECTOR_PORT
		;;
	esac
	wait_port "$peer_port"
}

stop_peer() {
	stop_pid "$peer_pid"
}

memory_rows=()
for latency in 0ms 5ms; do
	UPSTREAM_API_KEY="$BENCH_KEY" start upstream "$LOAD_CPU" "$BENCH_STATE/upstream" -addr "$BENCH_HOST:$UPSTREAM_PORT" -latency "$latency"
	upstream_pid=$last_pid
	wait_port "$UPSTREAM_PORT"
	echo "### Upstream latency $latency per call" >>"$results"
	echo >>"$results"
	echo "| peer and page | load | pages/s | p50 | p99 | errors | upstream calls per page, alone | upstream calls per page, under load | browser round trips per page | CPU per page |" >>"$results"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |" >>"$results"
	for peer in gateway apollo connector; do
		start_peer "$peer"
		for page in dashboard detail; do
			echo "measuring $peer $page with $latency upstream latency" >&2
			measure "$peer" "$peer_port" "$page" "$BENCH_CONNECTIONS" "$peer $page" >>"$results"
		done
		memory_rows+=("| $peer | $latency | $BENCH_CONNECTIONS | $(peak_rss_mib "$peer_pid") |")
		stop_peer
	done
	echo >>"$results"
	stop_pid "$upstream_pid"
done

# Memory at many connections, and the batch window, both with a 5 ms upstream.
UPSTREAM_API_KEY="$BENCH_KEY" start upstream "$LOAD_CPU" "$BENCH_STATE/upstream" -addr "$BENCH_HOST:$UPSTREAM_PORT" -latency 5ms
wait_port "$UPSTREAM_PORT"
many="$BENCH_STATE/many.md"
: >"$many"
for peer in gateway apollo; do
	start_peer "$peer"
	echo "measuring $peer with $BENCH_MEMORY_CONNECTIONS connections" >&2
	measure "$peer" "$peer_port" dashboard "$BENCH_MEMORY_CONNECTIONS" "$peer dashboard" >>"$many"
	memory_rows+=("| $peer | 5ms | $BENCH_MEMORY_CONNECTIONS | $(peak_rss_mib "$peer_pid") |")
	stop_peer
done
start_peer gateway "" 64
echo "measuring the gateway with MAX_INFLIGHT=64" >&2
measure gateway "$peer_port" dashboard "$BENCH_CONNECTIONS" "gateway dashboard, MAX_INFLIGHT=64" >>"$many"
stop_peer

# Latency at one connection: the upstream chain alone, the gateway and Apollo, in alternated
# rounds, so that a change of the machine's speed during the run touches all three alike. The
# chain peer sends the dashboard's calls straight to the benchmark upstream.
latency="$BENCH_STATE/latency.md"
: >"$latency"
for round in 1 2 3; do
	echo "measuring the latency at one connection, round $round" >&2
	UPSTREAM_API_KEY="$BENCH_KEY" peer_pid="" measure chain "$UPSTREAM_PORT" dashboard 1 "upstream chain alone, round $round" >>"$latency"
	for peer in gateway apollo; do
		start_peer "$peer"
		measure "$peer" "$peer_port" dashboard 1 "$peer dashboard, round $round" >>"$latency"
		stop_peer
	done
done

# The batch window, at one connection.
window="$BENCH_STATE/window.md"
: >"$window"
for wait in 2ms 1ms 500us 100us; do
	start_peer gateway "$wait"
	echo "measuring the gateway with BATCH_WAIT=$wait" >&2
	measure gateway "$peer_port" dashboard 1 "gateway dashboard, BATCH_WAIT=$wait" >>"$window"
	stop_peer
done
stop_all

# Allocations per operation of the handler, in-process against a fake upstream.
echo "running the handler benchmarks" >&2
handler_bench=$(taskset -c "$GATEWAY_CPU" go test -run '^$' -bench 'FakeUpstream$' -benchmem -benchtime 300x -cpu 1 . |
	grep '^Benchmark')

# ratio prints the gateway's dashboard throughput over Apollo's, from the first table.
ratio=$(awk -F'|' '/^\| gateway dashboard \|/ && !g {g=$4} /^\| apollo dashboard \|/ && !a {a=$4} END { if (a > 0) printf "%.2f", g / a }' "$results")
# cpu_ratio prints Apollo's CPU time per dashboard over the gateway's, from the first table.
cpu_ratio=$(awk -F'|' '/^\| gateway dashboard \|/ && !g {g=$11+0} /^\| apollo dashboard \|/ && !a {a=$11+0} END { if (g > 0) printf "%.2f", a / g }' "$results")
# p50s LABEL prints the p50 in ms of each latency row whose label starts with LABEL.
p50s() { awk -F'|' -v l="$1" 'index($2, " " l) == 1 { print $5 + 0 }' "$latency"; }
# median prints the median of the numbers it reads, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
chain_p50=$(p50s "upstream chain alone" | median)
gateway_p50=$(p50s "gateway dashboard" | median)
apollo_p50=$(p50s "apollo dashboard" | median)
gateway_over=$(paste <(p50s "gateway dashboard") <(p50s "upstream chain alone") | awk '{ print $1 - $2 }' | median)
soak=""
if [ -f "$BENCH_STATE/soak.md" ]; then
	soak=$(cat "$BENCH_STATE/soak.md")
fi

cat >"$BENCH_OUT" <<REPORT
# Performance

Written by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d). Numbers are from one run on
one machine; rerun it to compare a change.

## How it was measured

$(awk -v l="$load_before" 'BEGIN { if (l > 0.5) printf "**The machine was shared:** its load average was %s before the run started, so other work competed for both cores and the numbers are noisy. Compare peers within this run only.\n", l }')

\`\`\`sh
BENCH_DURATION=$BENCH_DURATION BENCH_WARMUP=$BENCH_WARMUP BENCH_CONNECTIONS=$BENCH_CONNECTIONS make bench
\`\`\`

$machine_text

The gateway, and each peer in its turn, runs alone on CPU $GATEWAY_CPU (\`taskset\`); the load
generator (\`bench/load\`) and the benchmark upstream (\`bench/upstream\`) share CPU $LOAD_CPU.
The upstream serves the back-office contract from fixtures exported from the example back
office (\`bench/export-fixtures.php\`), after a fixed delay per call of 0 ms or 5 ms, so the PHP
back office is not what is measured. Every connection logs in once and keeps its session.

- **gateway**: this repository, production mode, default settings.
- **apollo**: Apollo Server 5 with one DataLoader per record type and per request
  (\`bench/apollo\`), in-memory sessions, Node $(node -v).
- **connector**: the old PHP connector under \`php -S\` with 8 workers
  (\`bench/connector/connector.php\`). The browser calls it once per upstream call and waits
  for each level's ids before the next level, so its page latency is that chain of round trips
  measured from the load generator.

Pages: **dashboard** is the customer, 20 orders with their lines, products and invoices
(\`bench/operations/Dashboard.graphql\`); **detail** is one order with its lines, products and
invoice (\`web-example/site/operations/OrderDetail.graphql\`). Pages per second count
successful pages over the measured time; latencies are per page. "Upstream calls per page,
alone" comes from one page loaded with no other traffic; "under load" divides all upstream
calls of the cell by its pages. "CPU per page" is the user and system time the peer's
processes used during the measured time, divided by its pages. It is the cost of a page on one
core, and it varies less than pages per second when something else shares the machine.

## Results

The targets to read these tables against: at most 5 upstream calls per dashboard for every
page size up to 100 (\`TestSiteOperationsUpstreamCalls\` asserts the counts in \`make test\`);
at least twice the Apollo peer's dashboard pages per second on one core; with a 5 ms upstream,
a p50 within the upstream chain (three levels of 5 ms, measured below as it runs on this
machine) plus 2 ms; under 100 MiB resident memory at 500 connections.

$(cat "$results")
The gateway served **${ratio:-n/a}** times the dashboard pages per second of the Apollo Server
peer with no upstream latency, on one core each, and Apollo spent **${cpu_ratio:-n/a}** times
the gateway's CPU time on a dashboard.

### Peak memory

Peak resident memory (VmHWM) of the process, with its php -S workers for the connector, over
all cells it served.

| peer | upstream latency | connections | peak RSS (MiB) |
| --- | --- | --- | --- |
$(printf '%s\n' "${memory_rows[@]}")

Throughput at $BENCH_MEMORY_CONNECTIONS connections, 5 ms upstream latency, and for
comparison the gateway with \`MAX_INFLIGHT=64\` (the default is $((16 * 1)) on the gateway's one
core) at $BENCH_CONNECTIONS connections:

| peer and page | load | pages/s | p50 | p99 | errors | upstream calls per page, alone | upstream calls per page, under load | browser round trips per page | CPU per page |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(cat "$many")

### Latency at one connection

The dashboard's upstream chain is three levels (profile and order list; lines and invoices;
products), so with 5 ms per call a page cannot take less than 15 ms. The benchmark upstream
responds to each call once its latency has passed since the request arrived, within about
0.1 ms. It sleeps with nanosleep, because Go's time.Sleep woke it up to a millisecond late on
an idle machine (0.16 to 0.56 ms late for sleeps of 4.6 to 5 ms, measured here). A caller waits
longer than that: the upstream's wakeup and loopback come on top, at each level. The rows
"upstream chain alone" measure the chain as it runs on this machine: the load generator sends
the dashboard's five calls straight to the benchmark upstream, level by level and with nothing
in between (\`-peer chain\`). The rounds alternate the chain, the gateway and Apollo, one
connection each with a 5 ms upstream, so that a change of the machine's speed during the run
touches all three alike.

| peer and page | load | pages/s | p50 | p99 | errors | upstream calls per page, alone | upstream calls per page, under load | browser round trips per page | CPU per page |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(cat "$latency")

Over the three rounds, the median p50 of the chain alone was **${chain_p50:-n/a} ms**, the
gateway's **${gateway_p50:-n/a} ms** and Apollo's **${apollo_p50:-n/a} ms**. The gateway's p50
was **${gateway_over:-n/a} ms** above the chain's of the same round (the median of the three
differences). That difference is the gateway's own time, which the latency target allows
2 ms of.

### Batch window

\`BATCH_WAIT\` is how long a loader waits for more keys before it calls. The lines, invoices and
products of a page are sent at once without waiting for it; on the dashboard only the profile
waits, beside the order list, so the window does not lengthen the chain.

| peer and page | load | pages/s | p50 | p99 | errors | upstream calls per page, alone | upstream calls per page, under load | browser round trips per page | CPU per page |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(cat "$window")

Timing the calls inside the gateway (a temporary hook on the upstream client and the
handlers, 500 pages at one connection, medians, on this machine) shows where its time above
the chain goes:

- The first call starts 0.2 to 0.3 ms after the request arrives. Reading the session takes
  0.11 ms of it: gorilla/sessions' filesystem store reads a file and decodes two gob values.
- Each level's calls start 0.2 to 0.25 ms after the first byte of the previous level's
  response: 0.12 to 0.15 ms to read and decode the body, then the next level's resolvers.
- A call takes 5.2 ms from the request written to the first byte of the response.
- The page is written 0.95 to 1.35 ms after the first byte of the last response: 0.15 ms to
  decode the products, then gqlgen writes the lines' products and ends the page.
- The response carries its \`Content-Length\`, so the client has the page once its last byte is
  written. Chunked, as before, it ended only when the access log and the metrics around the
  handler had returned, 0.08 to 0.13 ms later.

A line's product is a method of the hand-written line model (\`order/line.go\`) that waits for
the products call. When the gateway runs one operation at a time, gqlgen writes the lines'
other fields while the products call is in flight, and only the products are left after the
last response. When other operations are executing, the resolver of an order's lines waits for
the products before it returns the lines. The CPU then has no time to spare during the call,
and a line that parks until its product arrives costs more CPU than one whose product is there
(\`resolvers/products.go\`). Before, the lines always waited, and the work after the last
response took 1.1 to 1.4 ms where the current code takes 0.6 to 0.9 ms, measured alternately
in the same minutes.

### Profile

The CPU and allocation profiles of the dashboard (\`go test -bench DashboardParallelFakeUpstream
-cpuprofile cpu.out -memprofile mem.out .\`, then \`go tool pprof\`) showed five main costs,
and the changes made for them:

- Every resolver of a page queued the whole page's keys, so a page of n orders made n² loader
  calls; the loader's tracer and thunk allocations were the largest single item. Each group is
  now fetched once (\`sync.Once\` in \`upstream/loaders.go\`).
- Decoding PHP's JSON: plain ASCII strings, most of the back office's values, no longer go
  through encoding/json (\`isPlainString\` in \`upstream/phpjson.go\`). \`DecodeResponse\` scanned
  each value once per level of nesting, because \`Map\` and \`List\` started a \`json.Decoder\` for
  every element. A successful response now takes a fast path that reads the envelope once and
  the payload once more through the JSON v2 package, and slices the payload's strings from one
  copy of it (\`upstream/fastdecode.go\`). On the dashboard's five bodies
  (\`go test -run '^\$' -bench DecodeResponse -benchmem ./upstream/\`) decoding became 3.7 to 6.9
  times faster and went from 3,786 to 253 allocations per page. The dashboard's handler
  benchmark went from 25,668 to 22,134 allocations, measured before and after the change on
  one machine.
- Garbage collection: a dashboard allocates more than a megabyte and keeps almost none of it,
  so with Go's default \`GOGC=100\` the collector ran every few pages. Without \`GOGC\` or
  \`GOMEMLIMIT\` in the environment the gateway now runs with \`GOGC=400\` and a soft limit of
  64 MiB plus 1 MiB per \`MAX_INFLIGHT\` slot (\`gc.go\`; docs/operations.md, "Memory"). At
  50 connections that took the CPU time per dashboard from 4.5 to 3.6 ms, measured before the
  decoder change on one machine; the soft limit holds memory at 500 connections.
- Garbage collection and goroutine stack scanning grew with the number of operations running
  at once: one dashboard runs about a hundred goroutines. \`MAX_INFLIGHT\` (default 16 per
  CPU) bounds them and queues the rest (\`edge/limit.go\`). The table of $BENCH_MEMORY_CONNECTIONS
  connections above compares the default with 64.
- Resolver tasks: gqlgen runs every resolver field as a task that waits for its value, and a
  task costs far more than the field: a goroutine whose stack grows while it runs, and a
  wait. A dashboard of 20 orders ran 60 product resolvers, all waiting for the same products
  call. A line's product is now a method of the line model, which gqlgen calls like a plain
  field (\`order/line.go\`, \`resolvers/products.go\`); the call is the same one. In the
  parallel handler benchmark on one CPU (\`GOGC=400\`, five runs each, alternating) a dashboard
  went from 2.31 to 2.08 ms. Doing the same for the orders' lines and invoices saved about 4 %
  more, but would move the writing of every order after the last response, where it adds to
  the latency, so they stay resolvers.
- Writing the response: gqlgen's POST transport encodes each response with \`json.Marshal\`,
  which compacts the data, already JSON, once more. The gateway's transport (\`transport.go\`)
  writes it as it is: about 4 µs instead of 150 µs for 32 KB of data
  (\`BenchmarkEncodeResponse\`, one CPU).

What remains is mostly gqlgen's execution (field contexts, one goroutine per resolved list
element, marshalling), and in the handler benchmark the fake upstream itself, about an eighth
of the allocations. The upstream client, decoding included, makes about 2 % of them. In the
gateway's own profile under load, copying the stacks of those goroutines as they grow takes 11
to 15 % of the CPU time. Each starts with a small stack, and resolving an order line needs a
deeper one. Allocation (about 30 %) and gqlgen's field contexts and paths, built for
every field and object whether or not an error or @defer needs them, make most of the rest.

### Handler cost per operation

\`go test -run '^\$' -bench 'FakeUpstream\$' -benchmem -benchtime 300x -cpu 1 .\` drives the
gateway's handler in-process against a fake in-process upstream (the fixture server with no
latency), pinned to one CPU. The time per operation includes the batch window of the loads
outside a group; the allocations are the gateway's and the fake upstream's together.

\`\`\`
$handler_bench
\`\`\`

## Soak

${soak:-\`make soak\` has not run on this machine since the last \`make bench\`; its results appear here once it has.}
REPORT
echo "wrote $BENCH_OUT" >&2
