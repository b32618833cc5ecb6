#!/usr/bin/env bash
# A PostgreSQL server for the store, marks and grading tests (tests/postgres.py).
#
# Installs the server from Debian's packages when missing, creates a cluster of its
# own (run by the `postgres` user: the server refuses to run as root), starts it on
# 127.0.0.1:$PGPORT and creates the role and database the tests connect to. Its
# defaults match the tests' default SHEETGRADE_TEST_POSTGRES; when the server is
# already up this only checks the role and returns.
#
# This server is for tests: fsync and synchronous commit are off.
set -euo pipefail

PGPORT="${SHEETGRADE_PG_PORT:-55432}"
PGDATA="${SHEETGRADE_PG_DATA:-/var/lib/postgresql/sheetgrade-test}"
SOCKETS="${SHEETGRADE_PG_SOCKETS:-/var/run/postgresql}"
ROLE=sheetgrade
PASSWORD=sheetgrade
DATABASE=sheetgrade

as_postgres() { runuser -u postgres -- "$@"; }

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && PGBIN="$dir"
    done
    [ -n "${PGBIN:-}" ]
}

if ! find_bin; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # postgresql-common would create and start a default cluster; this script runs its own
    mkdir -p /etc/postgresql-common
    grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
        || echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    find_bin || { echo "postgres.sh: no PostgreSQL server after installing it" >&2; exit 1; }
fi

install -d -o postgres -g postgres -m 2775 "$SOCKETS"

if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        install -d -o postgres -g postgres -m 700 "$PGDATA"
        as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth-local=peer \
            --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start -o \
        "-p $PGPORT -k $SOCKETS -c listen_addresses=127.0.0.1 -c max_connections=300 \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
fi

as_postgres psql -q -h "$SOCKETS" -p "$PGPORT" -d postgres -v ON_ERROR_STOP=1 <<SQL
SELECT 'CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD ''$PASSWORD'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \gexec
SQL
echo "PostgreSQL ready: postgresql://$ROLE:$PASSWORD@127.0.0.1:$PGPORT/$DATABASE"
