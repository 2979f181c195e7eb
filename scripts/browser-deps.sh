#!/usr/bin/env bash
# Installs what the browser tests and the site's type checks need, beside what deps.sh installs:
# Chromium and its driver, Node.js with npm, and the npm packages pinned in e2e/package-lock.json.
# Installs Debian packages through apt-get when run as root; otherwise prints the command to run
# and fails. Playwright never downloads a browser: the tests launch the Debian chromium package.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}" >&2
		echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	echo "installing ${missing[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# playwright-core 1.65 requires Node.js 20 or later.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
	echo "Node.js $(node --version) is too old for the browser tests: install Node.js 20 or later" >&2
	exit 1
fi

# npm ci reinstalls from scratch, so it runs only when the lock file changed since the last run.
stamp=e2e/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ e2e/package-lock.json -nt "$stamp" ]; then
	echo "installing the npm packages of e2e/" >&2
	(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
