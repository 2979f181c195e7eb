#!/usr/bin/env bash
# Runs the whole product locally: the example back office and the gateway in development mode,
# serving the customer site. Ctrl-C stops both.
#
# LISTEN_ADDR, ADMIN_ADDR  the gateway's listeners (defaults 127.0.0.1:8080 and 127.0.0.1:9090)
# BACKEND_ADDR             the back office (default 127.0.0.1:8081)
# UPSTREAM_API_KEY         the front-end key shared by both (generated when unset)
# UPSTREAM_SIGNING_KEYS    the request-signing keys shared by both (generated when unset);
#                          the back office requires signatures unless ADMIN_API_REQUIRE_SIGNATURES=0
set -euo pipefail
cd "$(dirname "$0")/.."

: "${LISTEN_ADDR:=127.0.0.1:8080}"
: "${ADMIN_ADDR:=127.0.0.1:9090}"
: "${BACKEND_ADDR:=127.0.0.1:8081}"
: "${STATE_DIR:=.demo}"
mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
random_key() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
: "${UPSTREAM_API_KEY:=$(random_key)}"
: "${UPSTREAM_SIGNING_KEYS:=demo-$(date +%Y%m%d):$(head -c 32 /dev/urandom | base64)}"
export LISTEN_ADDR ADMIN_ADDR BACKEND_ADDR STATE_DIR UPSTREAM_API_KEY UPSTREAM_SIGNING_KEYS

go build -o "$STATE_DIR/customer-gateway" .

pids=()
stop() {
	trap - INT TERM EXIT
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null || true
}
# Ctrl-C is how the demo is meant to end, so it exits with success.
trap 'stop; exit 0' INT TERM
trap stop EXIT

scripts/backend.sh >"$STATE_DIR/backend.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
	grep -q "Development Server" "$STATE_DIR/backend.log" 2>/dev/null && break
	kill -0 "${pids[0]}" 2>/dev/null || break
	sleep 0.2
done
if ! grep -q "Development Server" "$STATE_DIR/backend.log" 2>/dev/null; then
	echo "the back office did not start on $BACKEND_ADDR:" >&2
	tail -n 5 "$STATE_DIR/backend.log" >&2
	exit 1
fi

# GraphiQL's files come from e2e/node_modules (make browser-deps installs them); without them
# /playground falls back to gqlgen's CDN URLs.
graphiql_dir=""
[ -f e2e/node_modules/graphiql/graphiql.min.js ] && graphiql_dir=e2e/node_modules

GATEWAY_ENV=development \
GRAPHIQL_DIR="$graphiql_dir" \
UPSTREAM_URL="http://$BACKEND_ADDR/apis/" \
UPSTREAM_TIMEZONE=Europe/Berlin \
SESSION_KEYS="$(head -c 32 /dev/urandom | base64)" \
SESSION_DIR="$STATE_DIR/sessions" \
SITE_DIR=web-example/site \
	"$STATE_DIR/customer-gateway" &
pids+=($!)
sleep 1
if ! kill -0 "${pids[1]}" 2>/dev/null; then
	echo "the gateway did not start; its message is above" >&2
	exit 1
fi

cat <<MSG

  customer site:  http://$LISTEN_ADDR/
  GraphiQL:       http://$LISTEN_ADDR/playground
  metrics:        http://$ADMIN_ADDR/metrics
  demo logins:    ann@example.com / demo-password
                  bob@example.com / demo-password
  back office log: $STATE_DIR/backend.log

  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
