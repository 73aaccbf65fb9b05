#!/usr/bin/env bash
# Installs (if missing) and starts a local PostgreSQL for the integration tests, listening on
# 127.0.0.1 only, with a role that may create the tests' throwaway databases.
# Prints the admin URL the tests read from GH_TEST_POSTGRES_URL.
set -euo pipefail

ROLE=glasshouse_test
PASSWORD=glasshouse_test
PORT=${GLASSHOUSE_TEST_PG_PORT:-5432}

log() { printf '==> %s\n' "$*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating the PostgreSQL $VERSION cluster"
  pg_createcluster "$VERSION" main -p "$PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  log "starting PostgreSQL $VERSION on 127.0.0.1:$PORT"
  pg_ctlcluster "$VERSION" main start -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c fsync=off" >&2
fi

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtA -p $PORT -c \"$1\"" ; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  log "creating the test role $ROLE"
  psql_admin "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
# Throwaway databases of earlier runs.
for db in $(psql_admin "SELECT datname FROM pg_database WHERE datname LIKE 'gh\\_test\\_%'"); do
  psql_admin "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
done

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/postgres"
