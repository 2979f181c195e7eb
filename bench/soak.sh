#!/usr/bin/env bash
# Drives the whole stack (the gateway in front of the example PHP back office under php -S)
# with logged-in dashboard traffic at fixed rates: 20, 50, 100, 200 and 400 pages per second
# for a minute each, then ten minutes at 400. It reports errors and latency per step and the
# gateway's resident memory over time, and writes $BENCH_STATE/soak.md, which the next
# make bench puts into docs/performance.md.
#
# SOAK_SCALE     multiplies every step's duration (default 1, which takes 15 minutes; 0.05
#                proves the harness in under a minute)
# SOAK_RATES     the rising steps in pages per second (default "20 50 100 200 400")
# SOAK_CONNECTIONS  logged-in sessions the pages take turns on (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

: "${SOAK_SCALE:=1}"
: "${SOAK_RATES:=20 50 100 200 400}"
: "${SOAK_CONNECTIONS:=50}"
BENCH_KEY=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
trap stop_all EXIT INT TERM

seconds() { awk -v s="$1" -v k="$SOAK_SCALE" 'BEGIN { v = s * k; if (v < 1) v = 1; printf "%ds", v }'; }
step=$(seconds 60)
long=$(seconds 600)
sample=$(awk -v k="$SOAK_SCALE" 'BEGIN { v = 5 * k; if (v < 0.5) v = 0.5; print v }')

bench_deps
bench_build
machine_text=$(machine)

# The example back office, seeded afresh, with PHP-FPM-like workers on either core. The opcode
# cache is on, as in a production PHP. Without it every call compiles the API files again, and
# the back office saturates at two thirds of the rate.
php web-example/admin-api/seed.php "$BENCH_STATE/soak.sqlite" >/dev/null
(
	cd web-example/admin-api
	ADMIN_API_DB="$BENCH_STATE/soak.sqlite" ADMIN_API_FRONT_KEY="$BENCH_KEY" \
	ADMIN_API_ADMIN_KEY="$(head -c 18 /dev/urandom | base64)" PHP_CLI_SERVER_WORKERS=8 \
		exec php -d opcache.enable_cli=1 -S "$BENCH_HOST:$BACKOFFICE_PORT" router.php
) >"$BENCH_STATE/backoffice.log" 2>&1 &
backoffice_pid=$!
started+=("$backoffice_pid")
wait_port "$BACKOFFICE_PORT"
BENCH_KEY=$BENCH_KEY start_gateway "http://$BENCH_HOST:$BACKOFFICE_PORT/apis/" Europe/Berlin

rows="$BENCH_STATE/soak-rows.md"
memory="$BENCH_STATE/soak-memory.md"
failures="$BENCH_STATE/soak-errors.md"
: >"$rows"
: >"$failures"
: >"$memory"
began=$(date +%s)

# run_step RATE DURATION measures one step and the gateway's memory during it.
run_step() {
	local rate=$1 duration=$2 samples="$BENCH_STATE/soak-samples" sampler
	: >"$samples"
	(while kill -0 "$gateway_pid" 2>/dev/null; do rss_mib "$gateway_pid" >>"$samples"; echo >>"$samples"; sleep "$sample"; done) &
	sampler=$!
	echo "soak: $rate pages/s for $duration" >&2
	taskset -c "$LOAD_CPU" "$BENCH_STATE/load" -peer gateway -url "http://$BENCH_HOST:$GATEWAY_PORT" \
		-page dashboard -rate "$rate" -connections "$SOAK_CONNECTIONS" -duration "$duration" -warmup 0 \
		-calls "http://$BENCH_HOST:$GATEWAY_ADMIN_PORT/metrics" -label "dashboard, step $((++n))" -format row \
		-cpu-pids "$gateway_pid" >>"$rows" 2>"$BENCH_STATE/soak-stderr" ||
		{ cat "$BENCH_STATE/soak-stderr" >&2; exit 1; }
	sed -n "s/^error: \(.*\)/| $n | \1 |/p" "$BENCH_STATE/soak-stderr" >>"$failures"
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	awk -v n="$n" -v r="$rate" -v t="$(($(date +%s) - began))" \
		'NF { if (!c++) first = $1; if ($1 > max) max = $1; last = $1 }
		END { printf "| %d | %d | %d | %s | %s | %s |\n", n, r, t, first, max, last }' "$samples" >>"$memory"
}

n=0
for rate in $SOAK_RATES; do
	run_step "$rate" "$step"
done
last_rate=${SOAK_RATES##* }
run_step "$last_rate" "$long"
peak=$(peak_rss_mib "$gateway_pid")
stop_pid "$gateway_pid"

# The back office alone at the two highest rates, sent the dashboard's calls as the chain peer
# of make bench sends them. Its CPU time per page is its share of the machine at each rate.
alone="$BENCH_STATE/soak-alone.md"
: >"$alone"
for rate in $(echo "$SOAK_RATES" | tr ' ' '\n' | tail -n 2); do
	echo "soak: the back office alone at $rate pages/s for $step" >&2
	UPSTREAM_API_KEY="$BENCH_KEY" taskset -c "$LOAD_CPU" "$BENCH_STATE/load" -peer chain \
		-url "http://$BENCH_HOST:$BACKOFFICE_PORT" -page dashboard -rate "$rate" -connections "$SOAK_CONNECTIONS" \
		-duration "$step" -warmup 0 -label "back office alone" -format row \
		-cpu-pids "$backoffice_pid $(pgrep -P "$backoffice_pid" | tr '\n' ' ')" >>"$alone"
done
stop_all

# The cores each of those rates takes, estimated from the CPU times per page: the back office's
# alone at that rate plus the gateway's in the highest step served without errors.
cores=$(awk -F'|' -v cores="$(nproc)" '
	FNR == NR { if ($7 + 0 == 0 && $11 + 0 > 0 && $3 + 0 >= best) { best = $3 + 0; step = $2; gateway = $11 + 0 }; next }
	gateway > 0 && $11 + 0 > 0 { text = text sprintf("%s%d pages/s take %.1f cores", sep, $3, $3 * ($11 + gateway) / 1000); sep = " and " }
	END { if (text != "") { gsub(/^ +| +$/, "", step); sub(/^dashboard, /, "", step); printf "By estimate, %s, on a machine of %d cores. The estimate adds the back office'"'"'s CPU time per page at each rate to the gateway'"'"'s in %s, the highest rate served without errors, and leaves out the load generator.", text, cores, step } }
' "$rows" "$alone")

shortened=""
if [ "$SOAK_SCALE" != 1 ]; then
	shortened="**Shortened run:** SOAK_SCALE=$SOAK_SCALE cuts every step to $step (the last to $long), which shows that the harness works but is not the soak itself; run \`make soak\` for the full 15 minutes."
fi

cat >"$BENCH_STATE/soak.md" <<REPORT
$shortened

Run on $(date -u +%Y-%m-%d) with:

\`\`\`sh
SOAK_SCALE=$SOAK_SCALE SOAK_RATES="$SOAK_RATES" SOAK_CONNECTIONS=$SOAK_CONNECTIONS make soak
\`\`\`

$machine_text

The gateway (production mode, pinned to CPU $GATEWAY_CPU) serves logged-in dashboards (20
orders) in front of the example PHP back office under \`php -S\` with 8 workers and a freshly
seeded SQLite database; the back office runs on either core, the load generator on CPU
$LOAD_CPU. Each step sends pages at a fixed rate (open loop): a slow answer does not slow the
load down. Steps last $step, the last one $long.

| step | rate | pages/s answered | p50 | p99 | errors | upstream calls per page, alone | upstream calls per page, under load | browser round trips per page | CPU per page |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(sed 's/^| dashboard, step \([0-9]*\) | \([0-9]*\) pages\/s |/| \1 | \2 pages\/s |/' "$rows")

The gateway's resident memory (VmRSS, MiB), sampled every ${sample}s during each step; its
peak over the whole run (VmHWM) was $peak MiB.

| step | rate | seconds since start at step end | first sample | highest sample | last sample |
| --- | --- | --- | --- | --- | --- |
$(cat "$memory")

The back office alone, with no gateway running: the load generator sends the dashboard's five
calls straight to it, level by level (\`-peer chain\`), at the two highest rates. Its CPU per
page counts the \`php -S\` process and its workers. At a rate where the back office's CPU
time per page and the gateway's together need more than the machine's cores, the gateway
cannot answer every page, and it turns the excess away with 503 after the queue wait.

| peer and page | rate | pages/s answered | p50 | p99 | errors | upstream calls per page, alone | upstream calls per page, under load | browser round trips per page | CPU per page |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(cat "$alone")

$cores

Distinct errors of each step, as the load generator saw them (up to five a step):

| step | error |
| --- | --- |
$(if [ -s "$failures" ]; then cat "$failures"; else echo "| all | none |"; fi)
REPORT
cat "$BENCH_STATE/soak.md"
