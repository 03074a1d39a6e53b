#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS cluster for the tests: Unix socket only (no TCP port to
# collide with), a password-protected role `legalcircle` owning database `legalcircle_test`.
#   pg_cluster.sh start DIR   initdb (as user postgres when run as root), start, create role/db/PostGIS;
#                             writes DIR/connection (a GDAL "PG:" string)
#   pg_cluster.sh stop DIR    stop and delete DIR
set -euo pipefail
action=$1
dir=$(realpath -m "$2")
bin=/usr/lib/postgresql/15/bin
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    [ -x "$bin/initdb" ] || { echo "pg_cluster: $bin/initdb missing: run .ci/install-deps.sh (postgresql-15, postgresql-15-postgis-3)" >&2; exit 1; }
    if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    mkdir -p "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    superuser=$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )
    as_owner "$bin/initdb" -D "$dir/data" -U "$superuser" --auth-local=trust --auth-host=reject -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # The test role signs in with its password; only the cluster's owner is trusted.
    printf 'local all %s trust\nlocal all all scram-sha-256\n' "$superuser" > "$dir/data/pg_hba.conf"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/data/pg_hba.conf"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/socket' -c port=5432 -c fsync=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    psql() { as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -U "$superuser" "$@"; }
    psql -d postgres -c "CREATE ROLE legalcircle LOGIN PASSWORD 'lc-test-secret'" \
      -c "CREATE DATABASE legalcircle_test OWNER legalcircle"
    psql -d legalcircle_test -c "CREATE EXTENSION postgis"
    echo "PG:host=$dir/socket port=5432 dbname=legalcircle_test user=legalcircle password=lc-test-secret" > "$dir/connection"
    chmod a+r "$dir/connection"
    echo "pg_cluster: started at $dir/socket"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg_cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
