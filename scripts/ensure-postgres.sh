#!/usr/bin/env bash
# Makes sure a PostgreSQL server accepts connections for the store tests (src/store/postgres.test.ts).
#   1. already accepting on HOST:PORT → exit at once;
#   2. installed (Debian clusters under /etc/postgresql) → start the cluster;
#   3. missing, and we are root with apt-get → install it, let loopback connections in without a
#      password (a test machine only: done only for a cluster this script just installed), start.
# Then waits until it accepts connections. Never fails the build: when PostgreSQL cannot be had it
# says why and exits 0, and the PostgreSQL tests skip with a message.
# Settings (for trying the script on a spare cluster): VIGIL_PG_HOST, VIGIL_PG_PORT, VIGIL_PG_CLUSTER.
set -u

HOST="${VIGIL_PG_HOST:-127.0.0.1}"
PORT="${VIGIL_PG_PORT:-5432}"
CLUSTER="${VIGIL_PG_CLUSTER:-main}"

say() { echo "ensure-postgres: $*" >&2; }

accepting() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$HOST" -p "$PORT" -t 2 >/dev/null 2>&1
  else
    # no client tools: a TCP connection that is accepted is enough to try
    (exec 3<>"/dev/tcp/$HOST/$PORT") >/dev/null 2>&1
  fi
}

# wait_ready TRIES: half-second steps
wait_ready() {
  local i
  for i in $(seq 1 "$1"); do
    if accepting; then return 0; fi
    sleep 0.5
  done
  return 1
}

versions() { ls /etc/postgresql 2>/dev/null | sort -V; }

start_clusters() {
  local v started=1
  for v in $(versions); do
    if [ -d "/etc/postgresql/$v/$CLUSTER" ]; then
      pg_ctlcluster --skip-systemctl-redirect "$v" "$CLUSTER" start >/dev/null 2>&1 && started=0
    fi
  done
  return $started
}

# trust for loopback TCP, first line so it wins; only on a cluster installed here just now
trust_loopback() {
  local v hba
  for v in $(versions); do
    hba="/etc/postgresql/$v/$CLUSTER/pg_hba.conf"
    [ -f "$hba" ] || continue
    grep -q '^# vigil-tests' "$hba" && continue
    { printf '# vigil-tests: loopback without password (installed by scripts/ensure-postgres.sh)\n'
      printf 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n'
      cat "$hba"; } > "$hba.vigil" && cat "$hba.vigil" > "$hba" && rm -f "$hba.vigil"
    # the package may have started the server already: make it read the new rules
    pg_ctlcluster --skip-systemctl-redirect "$v" "$CLUSTER" reload >/dev/null 2>&1 || true
  done
}

if accepting; then exit 0; fi

if [ -z "$(versions)" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "PostgreSQL is not installed and cannot be installed here (needs root and apt-get); its tests will be skipped"
    exit 0
  fi
  say "installing PostgreSQL with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null; }; then
    say "apt-get could not install PostgreSQL; its tests will be skipped"
    exit 0
  fi
  trust_loopback
fi

TRIES=60 # a server that was just started gets 30 s to accept connections
if ! accepting && ! start_clusters; then
  say "pg_ctlcluster could not start cluster '$CLUSTER' of PostgreSQL $(versions | tr '\n' ' ')"
  TRIES=6 # it may have been starting already; otherwise there is nothing to wait for
fi

if wait_ready "$TRIES"; then
  exit 0
fi
say "PostgreSQL does not accept connections on $HOST:$PORT; its tests will be skipped"
exit 0
