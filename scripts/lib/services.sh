# shellcheck shell=bash
# What the tests need beyond .venv: PostgreSQL on 127.0.0.1:5432 and headless Chromium.
# Sourced by scripts/test after scripts/lib/env.sh. Each check starts or installs what it can
# and otherwise says, on one line, which tests will be skipped (or fail, when they are required)
# and how to get what is missing.

PG_HOST=127.0.0.1
PG_PORT=5432
CHROMIUM=/usr/bin/chromium

# Succeed when the SWEEPS_REQUIRE_* variable named $1 is 1.
required() {
  [[ ${!1:-} == 1 ]]
}

# Succeed when a PostgreSQL server accepts connections on PG_HOST:PG_PORT.
postgres_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -h "$PG_HOST" -p "$PG_PORT" -q
  else
    (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
  fi
}

# Start the machine's Debian cluster (pg_ctlcluster) and wait up to 30 s for it to answer.
start_postgres() {
  local clusters=(/etc/postgresql/*/main) version
  command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d ${clusters[0]} ]] || return 1
  version=${clusters[0]#/etc/postgresql/}
  version=${version%/main}
  say "PostgreSQL not answering on $PG_HOST:$PG_PORT: starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  for _ in $(seq 30); do
    postgres_answers && return 0
    sleep 1
  done
  return 1
}

# PostgreSQL for the distributed tests (tests/sweeps/conftest.py).
check_postgres() {
  if postgres_answers || start_postgres; then
    say "PostgreSQL answering on $PG_HOST:$PG_PORT"
  elif required SWEEPS_REQUIRE_POSTGRES; then
    say "PostgreSQL not answering on $PG_HOST:$PG_PORT: the PostgreSQL tests will FAIL (SWEEPS_REQUIRE_POSTGRES=1)"
  else
    say "PostgreSQL not answering on $PG_HOST:$PG_PORT: the PostgreSQL tests will be skipped (run a server there with user postgres and trust auth; Debian: apt-get install postgresql)"
  fi
}

# Install Debian's chromium package with apt-get (root only); the log goes to a temp file.
install_chromium() {
  local log
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1 || return 1
  log=$(mktemp -t sweeps-apt.XXXXXX)
  say "Chromium missing: installing Debian's chromium package (apt-get as root, log: $log)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
    >"$log" 2>&1 || return 1
  [[ -x $CHROMIUM ]]
}

# Headless Chromium for the browser test (tests/sweeps/commands/test_ui_browser.py); Playwright drives
# this binary and never downloads a browser of its own.
check_chromium() {
  if [[ -x $CHROMIUM ]] || install_chromium; then
    say "Chromium at $CHROMIUM"
  elif required SWEEPS_REQUIRE_BROWSER; then
    say "Chromium missing ($CHROMIUM): the browser test will FAIL (SWEEPS_REQUIRE_BROWSER=1)"
  else
    say "Chromium missing ($CHROMIUM): the browser test will be skipped (install Debian's chromium package: sudo apt-get install chromium)"
  fi
}
