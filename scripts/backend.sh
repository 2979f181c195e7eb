#!/usr/bin/env bash
# Seeds the example back office's database and serves it in the foreground with php -S.
#
# BACKEND_ADDR      address to listen on (default 127.0.0.1:8081)
# UPSTREAM_API_KEY  the front-end key the gateway will send (generated and printed when unset)
# ADMIN_API_ADMIN_KEY  the admin key (generated when unset)
# UPSTREAM_SIGNING_KEYS  request-signing keys as keyid:base64key pairs, shared with the gateway
#                   (generated and printed when unset)
# ADMIN_API_REQUIRE_SIGNATURES  1 (the default here) refuses unsigned requests; 0 accepts them
# STATE_DIR         where the database and the nonce store go (default .demo)
set -euo pipefail
cd "$(dirname "$0")/.."

: "${BACKEND_ADDR:=127.0.0.1:8081}"
: "${STATE_DIR:=.demo}"
mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
random_key() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
if [ -z "${UPSTREAM_API_KEY:-}" ]; then
	UPSTREAM_API_KEY=$(random_key)
	echo "front-end key (UPSTREAM_API_KEY for the gateway): $UPSTREAM_API_KEY"
fi
: "${ADMIN_API_ADMIN_KEY:=$(random_key)}"
if [ -z "${UPSTREAM_SIGNING_KEYS:-}" ]; then
	UPSTREAM_SIGNING_KEYS="demo-$(date +%Y%m%d):$(head -c 32 /dev/urandom | base64)"
	echo "signing keys (UPSTREAM_SIGNING_KEYS for the gateway): $UPSTREAM_SIGNING_KEYS"
fi
: "${ADMIN_API_REQUIRE_SIGNATURES:=1}"

php web-example/admin-api/seed.php "$STATE_DIR/admin-api.sqlite" >/dev/null
echo "back office: http://$BACKEND_ADDR/apis/ (UPSTREAM_URL for the gateway)"

cd web-example/admin-api
ADMIN_API_DB="$STATE_DIR/admin-api.sqlite" \
ADMIN_API_FRONT_KEY="$UPSTREAM_API_KEY" \
ADMIN_API_ADMIN_KEY="$ADMIN_API_ADMIN_KEY" \
ADMIN_API_SIGNING_KEYS="$UPSTREAM_SIGNING_KEYS" \
ADMIN_API_REQUIRE_SIGNATURES="$ADMIN_API_REQUIRE_SIGNATURES" \
ADMIN_API_NONCE_DB="$STATE_DIR/admin-api-nonces.sqlite" \
	exec php -S "$BACKEND_ADDR" router.php
