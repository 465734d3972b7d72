#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh Debian
# machine (headless Chromium for the console's browser test, a CJK font for
# its screenshots), then runs every test with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
# go1.26.8 carries standard-library vulnerabilities fixed in go1.26.10; the
# module proxy serves go1.27.3, which is what the project is built and tested with.
export GOTOOLCHAIN="${GOTOOLCHAIN_OVERRIDE:-go1.27.3}"

if ! command -v chromium >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
export CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}"

go test -race -count=1 -timeout 30m ./...
