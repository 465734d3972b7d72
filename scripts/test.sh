#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh Debian
# machine (headless Chromium for the console's browser test, a CJK font for
# its screenshots) and a throwaway PostgreSQL (scripts/postgres.sh: the
# ticket store's tests run on it as well as on SQLite), then runs every test
# with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
# The toolchain is go.mod's toolchain line (go1.26.8, which some machines
# ship, carries standard-library vulnerabilities fixed in go1.26.10); the
# module proxy serves it, and go fetches it on first use.
export GOTOOLCHAIN="${GOTOOLCHAIN_OVERRIDE:-$(sed -n 's/^toolchain //p' go.mod)}"

if ! command -v chromium >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
export CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}"

# The store's tests on PostgreSQL (intake's TestPostgres; in CI they fail
# without it). An HUIQI_TEST_POSTGRES already set is used as it is.
if [ -z "${HUIQI_TEST_POSTGRES:-}" ]; then
	pg=$(scripts/postgres.sh) # "URL DIR"; set -e stops here when it fails
	read -r url pgdir <<<"$pg"
	trap 'scripts/postgres.sh stop "$pgdir"' EXIT
	export HUIQI_TEST_POSTGRES="$url"
fi

go test -race -count=1 -timeout 30m ./...
