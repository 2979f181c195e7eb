# Shared by bench/run.sh and bench/soak.sh: building, starting and pinning the processes of a
# benchmark run, and reading their memory. Source it from the repository root.

: "${BENCH_STATE:=.bench}"
: "${GATEWAY_CPU:=0}"
: "${LOAD_CPU:=1}"
: "${BENCH_HOST:=127.0.0.1}"
: "${GATEWAY_PORT:=28080}"
: "${GATEWAY_ADMIN_PORT:=29090}"
: "${UPSTREAM_PORT:=28091}"
: "${APOLLO_PORT:=28092}"
: "${CONNECTOR_PORT:=28093}"
: "${BACKOFFICE_PORT:=28094}"

mkdir -p "$BENCH_STATE"
BENCH_STATE=$(cd "$BENCH_STATE" && pwd)
started=()

# stop_all ends every process this script started and has not stopped yet, each by its id.
stop_all() {
	local pid
	for pid in "${started[@]}"; do
		stop_pid "$pid"
	done
}

# stop_pid ends one started process and its php -S workers, which are its children, and
# removes it from started, so that a later stop_all cannot hit a process that reused its id.
stop_pid() {
	local pid=$1 child rest=() p
	for child in $(pgrep -P "$pid" 2>/dev/null); do kill "$child" 2>/dev/null || true; done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for p in "${started[@]}"; do
		[ "$p" = "$pid" ] || rest+=("$p")
	done
	started=("${rest[@]}")
}

# bench_deps installs what a benchmark needs and a fresh Debian machine may lack.
bench_deps() {
	scripts/deps.sh
	local missing=()
	command -v taskset >/dev/null || missing+=(util-linux)
	command -v node >/dev/null || missing+=(nodejs)
	command -v npm >/dev/null || missing+=(npm)
	if [ ${#missing[@]} -gt 0 ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "missing packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
			exit 1
		fi
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	if [ ! -d bench/apollo/node_modules ]; then
		(cd bench/apollo && npm ci --no-audit --no-fund --loglevel=error)
	fi
}

# bench_build builds the gateway, the benchmark upstream and the load generator.
bench_build() {
	go build -o "$BENCH_STATE/customer-gateway" .
	go build -o "$BENCH_STATE/upstream" ./bench/upstream
	go build -o "$BENCH_STATE/load" ./bench/load

	# Production executes trusted documents only: the site's operations and the benchmark's
	# dashboard, compiled into one manifest.
	rm -rf "$BENCH_STATE/operations"
	mkdir -p "$BENCH_STATE/operations"
	cp web-example/site/operations/*.graphql bench/operations/*.graphql "$BENCH_STATE/operations/"
	go run ./scripts/manifest "$BENCH_STATE/operations"
}

# wait_port waits until something listens on port.
wait_port() {
	local port=$1 i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/$BENCH_HOST/$port") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "nothing listens on $BENCH_HOST:$port; see the logs in $BENCH_STATE" >&2
	return 1
}

# start NAME CPU COMMAND... starts a process pinned to CPU, logging to $BENCH_STATE/NAME.log,
# and sets last_pid.
start() {
	local name=$1 cpu=$2
	shift 2
	taskset -c "$cpu" "$@" >"$BENCH_STATE/$name.log" 2>&1 &
	last_pid=$!
	started+=("$last_pid")
}

# start_gateway starts the gateway in production mode in front of the API folder $1.
start_gateway() {
	rm -rf "$BENCH_STATE/sessions"
	GATEWAY_ENV=production \
	LISTEN_ADDR="$BENCH_HOST:$GATEWAY_PORT" \
	ADMIN_ADDR="$BENCH_HOST:$GATEWAY_ADMIN_PORT" \
	UPSTREAM_URL="$1" \
	UPSTREAM_API_KEY="$BENCH_KEY" \
	UPSTREAM_TIMEZONE="${2:-UTC}" \
	SESSION_KEYS="$(head -c 32 /dev/urandom | base64)" \
	SESSION_DIR="$BENCH_STATE/sessions" \
	ALLOWED_ORIGINS="http://$BENCH_HOST:$GATEWAY_PORT" \
	TRUSTED_DOCUMENTS="$BENCH_STATE/operations/manifest.json" \
	LOGIN_RATE=1000000 LOGIN_RATE_PER_ADDRESS=1000000 \
	COST_RATE=100000000 COST_BURST=100000000 \
		start gateway "$GATEWAY_CPU" "$BENCH_STATE/customer-gateway"
	gateway_pid=$last_pid
	wait_port "$GATEWAY_PORT"
}

# peak_rss_mib prints the peak resident memory (VmHWM) in MiB of a process and its children.
peak_rss_mib() {
	local pid=$1 total=0 p kib
	for p in "$pid" $(pgrep -P "$pid" 2>/dev/null); do
		kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
		total=$((total + ${kib:-0}))
	done
	awk -v k="$total" 'BEGIN { printf "%.1f", k / 1024 }'
}

# rss_mib prints the current resident memory (VmRSS) in MiB of a process.
rss_mib() {
	awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

# machine prints a description of the machine for the report.
machine() {
	local cpu
	cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	echo "- CPU: $(nproc) cores, ${cpu:-unknown model}"
	echo "- memory: $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "- kernel: $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "- $(go version | cut -d' ' -f3-4), Node $(node -v), PHP $(php -r 'echo PHP_VERSION;')"
	echo "- load average when the run started: $(cut -d' ' -f1-3 /proc/loadavg)"
}
