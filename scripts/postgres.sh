#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests of huiqi's PostgreSQL
# store and prints the connection URL on stdout (the caller exports it as
# HUIQI_TEST_POSTGRES). Installs Debian's postgresql package when missing.
# The cluster lives in a temporary directory, listens only on 127.0.0.1,
# and is stopped by `scripts/postgres.sh stop DIR`.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ "${1:-}" = "stop" ]; then
	dir="$2"
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	$sudo runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	$sudo rm -rf "$dir"
	exit 0
fi

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
	$sudo apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port="${HUIQI_PG_PORT:-55432}"
dir=$(mktemp -d /tmp/huiqi-pg.XXXXXX)
chmod 755 "$dir"
$sudo chown postgres "$dir"
# initdb and the server refuse to run as root; the postgres user the
# package creates runs them.
$sudo runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U huiqi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
$sudo runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
	-o "-c listen_addresses=127.0.0.1 -c port=$port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
"$bin/createdb" -h 127.0.0.1 -p "$port" -U huiqi huiqi_test >/dev/null
echo "postgres://huiqi@127.0.0.1:$port/huiqi_test?sslmode=disable $dir"
