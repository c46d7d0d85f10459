#!/usr/bin/env bash
# Load test against a production-like stack on 127.0.0.1: gunicorn (DEBUG off, collected static files,
# Argon2 logins) + the huey consumer + PostgreSQL + Redis, driven by Locust (loadtest/locustfile.py).
#
#   loadtest/run.sh [--users N] [--seconds S] [--workers W]
#   loadtest/run.sh --capacity [--seconds S]   # req/s of each main page and fragment (capacity.py, wrk)
#
# Environment: PY (python, default .venv/bin/python), DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/ahsp_load, created when missing), REDIS_URL (default
# redis://127.0.0.1:6379/2), LOAD_PROJECTS (projects per account, default 45), LOAD_ESTIMATES (how many
# of them, at the top of the dashboard, get an estimate for the RAB pages and volume edits, default 5),
# LOAD_REFERENCE_XLSX (a reference workbook to import before the run), LOAD_WORKER_CLASS (gthread, the
# default, as in the Dockerfile; or sync) and LOAD_THREADS (threads per gthread worker, default 4).
# LOAD_TARGET_URL (e.g. nginx of project/bin/multinode): load that running site instead of starting
# gunicorn and the consumer here; DATABASE_URL must be its database (the accounts are seeded there); no
# migrate, collectstatic, server CPU or access log then.
#
# Prints P50/P95/P99, requests and failures per endpoint, for the login phase (until every user has logged
# in) and the steady state after it, and the CPU used by the server and by Locust;
# exits non-zero when any request failed. Everything started here is stopped on exit, however it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
die() {
  printf 'loadtest: %s\n' "$*" >&2
  exit 1
}
log() { printf '\n== %s\n' "$*"; }

USERS=10
DURATION=30
CAPACITY=""
WORKERS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS=${2:-}; shift 2 || die "--users needs a value" ;;
    --capacity) CAPACITY=1; shift ;;
    --seconds) DURATION=${2:-}; shift 2 || die "--seconds needs a value" ;;
    --workers) WORKERS=${2:-}; shift 2 || die "--workers needs a value" ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
for pair in "users:$USERS" "seconds:$DURATION" "workers:$WORKERS"; do
  [[ ${pair#*:} =~ ^[1-9][0-9]*$ ]] || die "--${pair%%:*} must be a positive integer, got '${pair#*:}'"
done
WORKER_CLASS=${LOAD_WORKER_CLASS:-gthread}
case "$WORKER_CLASS" in
  gthread) THREADS=${LOAD_THREADS:-4} ;;
  sync) THREADS=1 ;; # gunicorn turns sync with threads > 1 into gthread
  *) die "LOAD_WORKER_CLASS must be gthread or sync, got '$WORKER_CLASS'" ;;
esac
PROJECTS=${LOAD_PROJECTS:-45}
ESTIMATES=${LOAD_ESTIMATES:-5}
[[ $ESTIMATES =~ ^[0-9]+$ ]] && [ "$ESTIMATES" -le "$PROJECTS" ] ||
  die "LOAD_ESTIMATES must be a number from 0 to LOAD_PROJECTS ($PROJECTS), got '$ESTIMATES'"

PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || die "PY=$PY is not an executable Python; create the virtualenv first (make venv) or set PY"
"$PY" -c 'import django, gunicorn, locust, psutil' 2>/dev/null ||
  die "$PY lacks django/gunicorn/locust/psutil; install requirements-dev.txt into it (make venv)"
REPORT=("$PY" loadtest/report.py)

# --- settings of the stack under test -------------------------------------------------------------
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ahsp_load}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/2}
export DJANGO_SETTINGS_MODULE=project.settings
export DEBUG=0
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
# Plain HTTP on 127.0.0.1, no TLS proxy: switch off the production HTTPS defaults (settings.py).
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 BEHIND_TLS_PROXY=0 SECURE_HSTS_SECONDS=0
export ACCOUNT_RATE_LIMITS_OFF=1 # every simulated user logs in from 127.0.0.1
export CLIENT_METRICS_RATE_LIMIT=1000000 # every simulated browser beacons from 127.0.0.1 too
TARGET_URL=${LOAD_TARGET_URL:-}
TARGET_URL=${TARGET_URL%/}
# A target keeps its own cache keys and queue (seed.py writes through its cache).
[ -n "$TARGET_URL" ] || export CACHE_KEY_PREFIX=ahsp-load HUEY_NAME=ahsp-load
export LOAD_USER_COUNT=$USERS LOAD_ESTIMATES=$ESTIMATES
export PYTHONUNBUFFERED=1

RUN_DIR=var/loadtest/$(date +%Y%m%d-%H%M%S)-u$USERS-s$DURATION
mkdir -p "$RUN_DIR/data"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
export AHSP_DATA_DIR=$RUN_DIR/data
STATIC_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/ahsp-loadtest-static.XXXXXX")
export STATIC_ROOT

# --- teardown: runs on every exit ---------------------------------------------------------------
SERVER_PID=""
HUEY_PID=""
LOCUST_PID=""
stop_tree() { # stop_tree NAME PID: TERM the process, KILL it and its children after 10 s
  local name=$1 pid=$2 children i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  children=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' || true)
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "loadtest: $name (pid $pid) ignored SIGTERM for 10 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for child in $children; do
    kill -0 "$child" 2>/dev/null && kill -KILL "$child" 2>/dev/null || true
  done
  return 0
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tree locust "$LOCUST_PID"
  stop_tree gunicorn "$SERVER_PID"
  stop_tree "huey consumer" "$HUEY_PID"
  rm -rf "$STATIC_ROOT"
  if [ -n "${PORT:-}" ] && "$PY" -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', $PORT)) != 0)"; then
    echo "loadtest: warning: something still listens on 127.0.0.1:$PORT" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "loadtest: interrupted" >&2; exit 130' INT
trap 'echo "loadtest: terminated" >&2; exit 143' TERM

# --- PostgreSQL and Redis --------------------------------------------------------------------------
log "Services: $DATABASE_URL, $REDIS_URL"
db_state=$("$PY" - <<'PY'
import os
import psycopg2
from urllib.parse import urlsplit, unquote
url = os.environ["DATABASE_URL"]
if not urlsplit(url).scheme.startswith("postgres"):
    print("not-postgres")
    raise SystemExit
try:
    psycopg2.connect(url, connect_timeout=5).close()
    print("ok")
except psycopg2.OperationalError as exc:
    name = unquote(urlsplit(url).path.lstrip("/"))
    print("missing" if f'"{name}" does not exist' in str(exc) else "down: " + " ".join(str(exc).split()))
PY
)
case "$db_state" in
  ok | not-postgres) ;;
  missing)
    read -r DB_HOST DB_PORT DB_USER DB_NAME < <("$PY" -c '
import os; from urllib.parse import urlsplit, unquote
u = urlsplit(os.environ["DATABASE_URL"])
print(u.hostname or "127.0.0.1", u.port or 5432, unquote(u.username or "postgres"), unquote(u.path.lstrip("/")))')
    echo "creating database $DB_NAME on $DB_HOST:$DB_PORT"
    command -v createdb >/dev/null || die "database $DB_NAME is missing and createdb is not installed"
    createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB_NAME" || die "createdb $DB_NAME failed"
    ;;
  *)
    die "PostgreSQL is not reachable ($db_state). Start it, e.g.:
  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" ;;
esac
"$PY" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()' 2>/dev/null ||
  die "Redis is not reachable at $REDIS_URL. Start it, e.g.:
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no"

# --- database, static files, data ------------------------------------------------------------------
log "migrate, collectstatic, seed ($USERS accounts x $PROJECTS projects, $ESTIMATES with an estimate)"
if [ -z "$TARGET_URL" ]; then
  "$PY" manage.py migrate --noinput -v 0 || die "migrate failed"
  "$PY" manage.py collectstatic --noinput -v 0 || die "collectstatic failed"
fi
"$PY" loadtest/seed.py --users "$USERS" --projects "$PROJECTS" --estimates "$ESTIMATES" || die "seeding failed"

# --- the stack -----------------------------------------------------------------------------------
if [ -n "$TARGET_URL" ]; then
  BASE_URL=$TARGET_URL
  log "target: $BASE_URL (started elsewhere)"
  "$PY" -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('$BASE_URL/healthz', timeout=5).status != 200)" ||
    die "$BASE_URL/healthz did not answer 200"
else
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE_URL=http://127.0.0.1:$PORT
log "gunicorn: $WORKERS workers x $THREADS threads ($WORKER_CLASS) on $BASE_URL; huey consumer; logs in $RUN_DIR"
"$PY" -m gunicorn project.wsgi:application \
  --bind "127.0.0.1:$PORT" --workers "$WORKERS" --worker-class "$WORKER_CLASS" --threads "$THREADS" \
  --timeout 60 --graceful-timeout 5 --keep-alive 5 \
  --access-logfile "$RUN_DIR/access.log" --access-logformat '%(s)s %(m)s %(U)s %(M)sms' \
  >"$RUN_DIR/gunicorn.log" 2>&1 &
SERVER_PID=$!
"$PY" manage.py run_huey >"$RUN_DIR/huey.log" 2>&1 &
HUEY_PID=$!

healthy=""
for _ in $(seq 1 120); do
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 40 "$RUN_DIR/gunicorn.log" >&2; die "gunicorn exited during start-up"; }
  kill -0 "$HUEY_PID" 2>/dev/null || { tail -n 40 "$RUN_DIR/huey.log" >&2; die "the huey consumer exited during start-up"; }
  if "$PY" -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('$BASE_URL/healthz', timeout=2).status != 200)" 2>/dev/null; then
    healthy=1
    break
  fi
  sleep 0.5
done
if [ -z "$healthy" ]; then
  tail -n 40 "$RUN_DIR/gunicorn.log" >&2
  die "$BASE_URL/healthz did not answer 200 within 60 s"
fi
fi
echo "healthz: 200"

# --- the load ------------------------------------------------------------------------------------
if [ -n "$CAPACITY" ]; then
  log "capacity: wrk on each main page and fragment, ${DURATION}s each, against $BASE_URL"
  "$PY" loadtest/capacity.py --base-url "$BASE_URL" --seconds "$DURATION"
  exit $?
fi
SPAWN_RATE=$(((USERS + 9) / 10)) # everyone logged in within about 10 s
log "locust: $USERS users (spawn $SPAWN_RATE/s) for ${DURATION}s against $BASE_URL (allauth rate limits OFF)"
export LOAD_REQUEST_LOG=$RUN_DIR/requests.csv # every request, to split the login phase from the steady state
SERVER_REPORT=() # the server's access log and CPU: only of a server started here
if [ -z "$TARGET_URL" ]; then
  : >"$RUN_DIR/access.log" # count the load only, not the health checks above
  "${REPORT[@]}" snapshot "$RUN_DIR/cpu-before.json" --pid "$SERVER_PID" --pid "$HUEY_PID"
  SERVER_REPORT=(--access-log "$RUN_DIR/access.log" --cpu-before "$RUN_DIR/cpu-before.json"
    --cpu-after "$RUN_DIR/cpu-after.json" --locust-cpu "$RUN_DIR/locust-cpu.json")
fi
# In the background + `wait`, so that a signal to this script is handled at once, not after the run.
"${REPORT[@]}" measure "$RUN_DIR/locust-cpu.json" -- \
  "$PY" -m locust -f loadtest/locustfile.py --headless --users "$USERS" --spawn-rate "$SPAWN_RATE" \
  --run-time "${DURATION}s" --stop-timeout 5 --host "$BASE_URL" --csv "$RUN_DIR/stats" --only-summary \
  >"$RUN_DIR/locust.log" 2>&1 &
LOCUST_PID=$!
locust_rc=0
wait "$LOCUST_PID" || locust_rc=$?
LOCUST_PID=""
if [ -z "$TARGET_URL" ]; then
  "${REPORT[@]}" snapshot "$RUN_DIR/cpu-after.json" --pid "$SERVER_PID" --pid "$HUEY_PID"
  kill -0 "$SERVER_PID" 2>/dev/null || echo "loadtest: gunicorn died during the run" >&2
  kill -0 "$HUEY_PID" 2>/dev/null || echo "loadtest: the huey consumer died during the run" >&2
fi

log "Results ($USERS users, ${DURATION}s, $WORKERS gunicorn $WORKER_CLASS workers x $THREADS threads)"
report_rc=0
"${REPORT[@]}" summary --stats "$RUN_DIR/stats" --requests "$LOAD_REQUEST_LOG" --users "$USERS" \
  ${SERVER_REPORT[@]+"${SERVER_REPORT[@]}"} || report_rc=$?

tracebacks=0 # a target's logs are its own (project/bin/multinode's test reads them)
[ -n "$TARGET_URL" ] || tracebacks=$(cat "$RUN_DIR/gunicorn.log" "$RUN_DIR/huey.log" | grep -c '^Traceback' || true)
if [ "$tracebacks" -gt 0 ]; then
  echo
  echo "Server tracebacks: $tracebacks (gunicorn.log, huey.log). The first one:"
  awk '/^Traceback/ {p = 1} p {print; n++} p && /^[A-Za-z_.]+(Error|Exception|Exit)/ {exit} n > 80 {exit}' \
    "$RUN_DIR/gunicorn.log" "$RUN_DIR/huey.log"
fi
echo
echo "Logs and CSVs: $RUN_DIR"
if [ "$locust_rc" -ne 0 ] && [ "$report_rc" -eq 0 ]; then
  tail -n 30 "$RUN_DIR/locust.log" >&2
  die "locust exited with status $locust_rc"
fi
[ "$report_rc" -eq 0 ] && [ "$tracebacks" -eq 0 ] || exit 1
