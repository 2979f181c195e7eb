#!/usr/bin/env bash
# Installs what the demo and the tests need and a fresh Debian machine lacks: PHP with SQLite
# for the example back office, and Chromium for the test that drives the customer site. Installs through apt-get when run as root; otherwise prints the
# command to run and fails.
set -euo pipefail

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
if ! command -v php >/dev/null 2>&1 || ! php -m 2>/dev/null | grep -qx pdo_sqlite; then
	missing+=(php-sqlite3)
fi
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}" >&2
	echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
