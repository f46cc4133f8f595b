#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for `make bench`, as .ci/postgres.sh makes one for the tests
# (run as the postgres user, unix socket only, in a temp folder), but with PostgreSQL's
# default durability (fsync, synchronous_commit and full_page_writes on), so that commit
# times are those of a real server, and in a folder of its own name.
#   source bench/postgres.sh; bench_pg_start; ...; bench_pg_stop
# bench_pg_start exports LMS_TEST_DATABASE_URL, which `python -m bench` reads.

source "$(dirname "${BASH_SOURCE[0]}")/../.ci/postgres.sh"  # for pg_install

bench_pg_start() {
  pg_install
  BENCH_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  BENCH_PG_DIR=$(mktemp -d /tmp/lms-bench-postgres.XXXXXX)
  chown postgres:postgres "$BENCH_PG_DIR"
  runuser -u postgres -- "$BENCH_PG_BIN/initdb" -D "$BENCH_PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$BENCH_PG_BIN/pg_ctl" -D "$BENCH_PG_DIR/data" -l "$BENCH_PG_DIR/log" -w \
    -o "-k $BENCH_PG_DIR -c listen_addresses='' -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
  export BENCH_PG_BIN BENCH_PG_DIR PG_BIN="$BENCH_PG_BIN"
  export LMS_TEST_DATABASE_URL="postgresql+psycopg://postgres@/postgres?host=$BENCH_PG_DIR"
  echo "PostgreSQL $("$BENCH_PG_BIN/postgres" --version | awk '{print $3}') on $BENCH_PG_DIR (fsync on)"
}

bench_pg_stop() {
  if [ -n "${BENCH_PG_DIR:-}" ] && [ -d "$BENCH_PG_DIR/data" ]; then
    runuser -u postgres -- "$BENCH_PG_BIN/pg_ctl" -D "$BENCH_PG_DIR/data" -m fast stop >/dev/null || true
    rm -rf "$BENCH_PG_DIR"
  fi
}
