#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a unix socket in a temp folder, run as the postgres user.
#   source .ci/postgres.sh; pg_start; ...; pg_stop
# pg_start exports LMS_TEST_DATABASE_URL for the test suite.

pg_install() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "Installing PostgreSQL"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null
  fi
}

pg_start() {
  pg_install
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PG_DIR=$(mktemp -d /tmp/lms-pg.XXXXXX)
  chown postgres:postgres "$PG_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-k $PG_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  export PG_BIN PG_DIR
  export LMS_TEST_DATABASE_URL="postgresql+psycopg://postgres@/postgres?host=$PG_DIR"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $PG_DIR"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true
    rm -rf "$PG_DIR"
  fi
}
