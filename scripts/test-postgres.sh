#!/usr/bin/env bash
# Make sure a local PostgreSQL runs and has the test role and database; print its URL.
# Used by `make test` and .ci/run. Installs PostgreSQL from Debian when it is absent.
set -euo pipefail
ROLE=carecycle
PASSWORD=carecycle
DB=carecycle_test
PORT=${CARECYCLE_TEST_PG_PORT:-5432}

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "cd / && $*"; else sudo -u postgres sh -c "cd / && $*"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  echo "installing PostgreSQL..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  pg_createcluster "$version" main >&2
fi
cluster_version=$(pg_lsclusters -h | awk 'NR==1{print $1}')
cluster_name=$(pg_lsclusters -h | awk 'NR==1{print $2}')
if ! pg_lsclusters -h | awk 'NR==1{print $4}' | grep -q online; then
  pg_ctlcluster "$cluster_version" "$cluster_name" start >&2
fi
for _ in $(seq 1 30); do
  as_postgres "psql -p $PORT -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
as_postgres "psql -p $PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$ROLE'\"" | grep -q 1 ||
  as_postgres "psql -p $PORT -qc \"CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD' CREATEDB\"" >&2
for name in "$DB" "${DB}_bench"; do
  as_postgres "psql -p $PORT -tAc \"SELECT 1 FROM pg_database WHERE datname='$name'\"" | grep -q 1 ||
    as_postgres "createdb -p $PORT -O $ROLE $name" >&2
done
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
