#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh Debian
# machine (headless Chromium for the console's browser test, a CJK font for
# its screenshots), then runs every test with the race detector.
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

go test -race -count=1 -timeout 30m ./...
