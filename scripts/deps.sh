#!/usr/bin/env bash
# Installs what the demo and the tests need and a fresh Debian machine lacks: PHP with SQLite
# for the example back office, Chromium for the test that drives the customer site, and
# redis-server, which the tests start on loopback ports. Installs through apt-get when run as
# root; otherwise prints the command to run and fails.
set -euo pipefail

missing=()
modules=""
if command -v php >/dev/null 2>&1; then
	modules=$(php -m 2>/dev/null)
else
	missing+=(php-cli)
fi
# grep reads a variable, not a pipe from php: with pipefail, grep -q closing the pipe early
# would fail the check.
grep -qx pdo_sqlite <<<"$modules" || missing+=(php-sqlite3)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}" >&2
	echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
