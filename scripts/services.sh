#!/usr/bin/env bash
# Makes sure the services pecflow needs are installed and listening on loopback:
# PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379) and pecflow's own Dovecot instance
# (IMAP + LMTP, configured from scripts/dovecot/dovecot.conf, runtime files in $DOVECOT_DIR).
#
# Idempotent: run it as often as you like; what is already there is left alone.
# As root it installs missing Debian packages and starts what is not running (there is no
# systemd here, so services are started directly). As another user it only checks and says
# what to install or start.
#
# Usage: scripts/services.sh [--with-chromium]
#   --with-chromium  also install what the tests drive or read with: Debian's chromium (browser
#                    tests) and poppler-utils (pdftotext, to read generated PDF reports back)
# Environment: DOVECOT_DIR, DOVECOT_IMAP_PORT, DOVECOT_LMTP_PORT (same defaults as src/config).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOVECOT_TEMPLATE="$SCRIPT_DIR/dovecot/dovecot.conf"

DOVECOT_DIR=${DOVECOT_DIR:-/var/lib/pecflow/dovecot}
DOVECOT_IMAP_PORT=${DOVECOT_IMAP_PORT:-10143}
DOVECOT_LMTP_PORT=${DOVECOT_LMTP_PORT:-10024}
PG_PORT=5432
REDIS_PORT=6379
WAIT_SECONDS=30

WITH_CHROMIUM=0
PROBLEMS=()
APT_UPDATED=0
APT_LOG=''
TEMP_FILES=()
trap 'rm -f "${TEMP_FILES[@]}"' EXIT

say() { printf '%s\n' "$*"; }
die() {
  printf 'services.sh: %s\n' "$*" >&2
  exit 1
}
is_root() { [ "$(id -u)" -eq 0 ]; }

# Not root: remember what is missing and carry on checking, so one run lists everything.
problem() { PROBLEMS+=("$*"); }

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

for arg in "$@"; do
  case "$arg" in
    --with-chromium) WITH_CHROMIUM=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option: $arg (see --help)" ;;
  esac
done

# The values end up in a config file through sed and in shell commands: refuse anything odd.
[[ "$DOVECOT_DIR" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "DOVECOT_DIR must be an absolute path of letters, digits, '.', '_', '-', '/': got '$DOVECOT_DIR'"
for port_var in DOVECOT_IMAP_PORT DOVECOT_LMTP_PORT; do
  [[ "${!port_var}" =~ ^[0-9]+$ ]] && [ "${!port_var}" -ge 1 ] && [ "${!port_var}" -le 65535 ] ||
    die "$port_var must be a port number (1-65535): got '${!port_var}'"
done
[ "$DOVECOT_IMAP_PORT" != "$DOVECOT_LMTP_PORT" ] || die "DOVECOT_IMAP_PORT and DOVECOT_LMTP_PORT must differ"

# True when something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp: no nc needed).
listening() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# wait_for_port NAME PORT [LOG]: waits up to WAIT_SECONDS, on timeout shows the end of LOG.
wait_for_port() {
  local name=$1 port=$2 log=${3:-} deadline=$((SECONDS + WAIT_SECONDS))
  until listening "$port"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      if [ -n "$log" ] && [ -r "$log" ]; then
        printf -- '--- last lines of %s ---\n' "$log" >&2
        tail -n 20 "$log" >&2
      fi
      die "$name: nothing listening on 127.0.0.1:$port after ${WAIT_SECONDS}s"
    fi
    sleep 0.5
  done
}

# apt_install PACKAGE...: root only; the package lists are refreshed once per run.
apt_install() {
  [ -n "$APT_LOG" ] || APT_LOG=$(mktemp -t pecflow-apt.XXXXXX)
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt: updating package lists"
    apt-get update >>"$APT_LOG" 2>&1 9>&- || {
      tail -n 20 "$APT_LOG" >&2
      die "apt-get update failed (full log: $APT_LOG)"
    }
    APT_UPDATED=1
  fi
  say "apt: installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$APT_LOG" 2>&1 9>&- || {
    tail -n 20 "$APT_LOG" >&2
    die "apt-get install $* failed (full log: $APT_LOG)"
  }
}

# ---------------------------------------------------------------- PostgreSQL

postgres_installed() { command -v pg_ctlcluster >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

# The newest version that has a "main" cluster, else the newest installed server.
postgres_version() {
  local version
  for version in $(ls /etc/postgresql 2>/dev/null | sort -rV); do
    if [ -f "/etc/postgresql/$version/main/postgresql.conf" ]; then
      say "$version"
      return
    fi
  done
  ls /usr/lib/postgresql | sort -V | tail -n 1
}

# The app and the tests connect as postgres without a password (design §4): trust on loopback.
# First matching pg_hba line wins, so prepending is enough; the marker keeps it idempotent.
postgres_trust_loopback() {
  local hba="/etc/postgresql/$1/main/pg_hba.conf" marker='# pecflow: trust on loopback'
  grep -qF "$marker" "$hba" && return
  {
    say "$marker (development and CI clusters only, added by scripts/services.sh)"
    say 'local   all   all                  trust'
    say 'host    all   all   127.0.0.1/32   trust'
    say 'host    all   all   ::1/128        trust'
    cat "$hba"
  } >"$hba.pecflow" && cat "$hba.pecflow" >"$hba" && rm -f "$hba.pecflow"
}

ensure_postgresql() {
  local fresh=0 version
  if ! postgres_installed; then
    is_root || {
      problem "postgresql is not installed: apt-get install postgresql"
      return
    }
    apt_install postgresql
    fresh=1 # the package created a cluster with password auth: switch it to trust below
  fi
  if ! listening "$PG_PORT"; then
    is_root || {
      problem "postgresql is not listening on 127.0.0.1:$PG_PORT: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
      return
    }
    version=$(postgres_version)
    if [ ! -f "/etc/postgresql/$version/main/postgresql.conf" ]; then
      say "postgresql: creating cluster $version/main"
      pg_createcluster "$version" main --port "$PG_PORT" >/dev/null 9>&-
      fresh=1
    fi
    [ "$fresh" -eq 0 ] || postgres_trust_loopback "$version"
    # /var/run is a tmpfs on some machines: the socket directory may be gone after a reboot.
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 9>&- ||
      die "postgresql: could not start cluster $version/main (see /var/log/postgresql/postgresql-$version-main.log)"
    wait_for_port postgresql "$PG_PORT" "/var/log/postgresql/postgresql-$version-main.log"
  elif [ "$fresh" -eq 1 ]; then
    # Installed just now and already started by the package scripts.
    version=$(postgres_version)
    postgres_trust_loopback "$version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload 9>&-
  fi
  say "postgresql: listening on 127.0.0.1:$PG_PORT"
}

# ---------------------------------------------------------------- Redis

ensure_redis() {
  if ! command -v redis-server >/dev/null; then
    is_root || {
      problem "redis is not installed: apt-get install redis-server"
      return
    }
    apt_install redis-server
  fi
  if ! listening "$REDIS_PORT"; then
    is_root || {
      problem "redis is not listening on 127.0.0.1:$REDIS_PORT: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port $REDIS_PORT ..."
      return
    }
    mkdir -p /var/lib/redis /var/log/redis
    # No persistence: Redis only holds queues and sessions that tests and demos recreate.
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 9>&-
    wait_for_port redis "$REDIS_PORT" /var/log/redis/ci.log
  fi
  say "redis: listening on 127.0.0.1:$REDIS_PORT"
}

# ---------------------------------------------------------------- Dovecot

dovecot_installed() { command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/lmtp ]; }

DOVECOT_CONF="$DOVECOT_DIR/dovecot.conf"
DOVECOT_LOG="$DOVECOT_DIR/dovecot.log"

# The pid of our Dovecot master (the one whose base_dir is $DOVECOT_DIR/run), if it runs.
dovecot_master_pid() {
  local pid
  pid=$(cat "$DOVECOT_DIR/run/master.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dovecot ] && say "$pid"
}

# render_dovecot_conf OUT: the template with absolute paths, ports and the mail uid filled in.
render_dovecot_conf() {
  local mail_uid
  mail_uid=$(id -u dovecot 2>/dev/null) || die "dovecot: the 'dovecot' system user is missing (reinstall dovecot-core)"
  sed -e "s|@DOVECOT_DIR@|$DOVECOT_DIR|g" -e "s|@IMAP_PORT@|$DOVECOT_IMAP_PORT|g" \
    -e "s|@LMTP_PORT@|$DOVECOT_LMTP_PORT|g" -e "s|@MAIL_UID@|$mail_uid|g" "$DOVECOT_TEMPLATE" >"$1"
}

validate_dovecot_conf() {
  local errors
  if ! errors=$(doveconf -c "$1" -n 2>&1 >/dev/null); then
    printf '%s\n' "$errors" >&2
    die "dovecot: the rendered configuration $1 is invalid (template: $DOVECOT_TEMPLATE)"
  fi
}

# Directories and the users file, with the owners Dovecot needs: its auth process (user
# dovecot) reads the users file, and mail is read and written as the dovecot user.
prepare_dovecot_dir() {
  install -d -m 0755 "$DOVECOT_DIR" "$DOVECOT_DIR/state"
  install -d -m 0750 -o dovecot -g dovecot "$DOVECOT_DIR/mail"
  [ -e "$DOVECOT_DIR/users" ] || install -m 0640 -g dovecot /dev/null "$DOVECOT_DIR/users"
  chgrp dovecot "$DOVECOT_DIR/users"
  chmod 0640 "$DOVECOT_DIR/users"
}

ensure_dovecot() {
  local rendered pid changed=0
  if ! dovecot_installed; then
    is_root || {
      problem "dovecot is not installed: apt-get install dovecot-imapd dovecot-lmtpd"
      return
    }
    apt_install dovecot-imapd dovecot-lmtpd
  fi
  [ -r "$DOVECOT_TEMPLATE" ] || die "dovecot: template $DOVECOT_TEMPLATE not found"

  rendered=$(mktemp -t pecflow-dovecot.XXXXXX)
  TEMP_FILES+=("$rendered")
  render_dovecot_conf "$rendered"
  cmp -s "$rendered" "$DOVECOT_CONF" || changed=1

  # Not root: the master's pid file is private, so the ports and the rendered config are the evidence.
  if ! is_root; then
    if ! listening "$DOVECOT_IMAP_PORT" || ! listening "$DOVECOT_LMTP_PORT"; then
      problem "dovecot is not listening on 127.0.0.1:$DOVECOT_IMAP_PORT/$DOVECOT_LMTP_PORT: run scripts/services.sh as root (starts dovecot -c $DOVECOT_CONF)"
    elif [ "$changed" -eq 1 ]; then
      problem "dovecot: $DOVECOT_CONF is out of date with $DOVECOT_TEMPLATE: run scripts/services.sh as root"
    else
      say "dovecot: listening on 127.0.0.1:$DOVECOT_IMAP_PORT (imap), 127.0.0.1:$DOVECOT_LMTP_PORT (lmtp)"
    fi
    return
  fi

  pid=$(dovecot_master_pid) || pid=''

  prepare_dovecot_dir
  validate_dovecot_conf "$rendered"
  if [ "$changed" -eq 1 ]; then
    install -m 0644 "$rendered" "$DOVECOT_CONF"
  fi

  if [ -n "$pid" ]; then
    if [ "$changed" -eq 1 ]; then
      say "dovecot: configuration changed, reloading"
      doveadm -c "$DOVECOT_CONF" reload 9>&- || die "dovecot: reload failed (see $DOVECOT_LOG)"
    fi
  else
    for port in "$DOVECOT_IMAP_PORT" "$DOVECOT_LMTP_PORT"; do
      ! listening "$port" || die "dovecot: 127.0.0.1:$port is taken by another process (not the Dovecot of $DOVECOT_DIR)"
    done
    dovecot -c "$DOVECOT_CONF" 9>&- </dev/null >/dev/null 2>&1 || die "dovecot: could not start (see $DOVECOT_LOG)"
  fi
  wait_for_port dovecot "$DOVECOT_IMAP_PORT" "$DOVECOT_LOG"
  wait_for_port dovecot "$DOVECOT_LMTP_PORT" "$DOVECOT_LOG"
  say "dovecot: listening on 127.0.0.1:$DOVECOT_IMAP_PORT (imap), 127.0.0.1:$DOVECOT_LMTP_PORT (lmtp)"
}

# ---------------------------------------------------------------- Chromium

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    is_root || {
      problem "chromium is not installed: apt-get install chromium"
      return
    }
    apt_install chromium
  fi
  say "chromium: /usr/bin/chromium"
  if ! command -v pdftotext >/dev/null; then
    is_root || {
      problem "poppler-utils is not installed: apt-get install poppler-utils"
      return
    }
    apt_install poppler-utils
  fi
  say "poppler-utils: $(command -v pdftotext)"
}

# ---------------------------------------------------------------- main

# One run at a time (apt and dpkg refuse concurrent installs, two starts would race for the ports).
# Every command that may leave a daemon behind gets `9>&-`: a daemon inheriting fd 9 would hold
# the lock for as long as it runs and block every later run.
LOCK_FILE="${TMPDIR:-/tmp}/pecflow-services-$(id -u).lock"
exec 9>"$LOCK_FILE"
if ! flock -n 9; then
  say "services.sh: another run is in progress, waiting for it" >&2
  flock -w 600 9 || die "timed out waiting for $LOCK_FILE"
fi

ensure_postgresql
ensure_redis
ensure_dovecot
[ "$WITH_CHROMIUM" -eq 0 ] || ensure_chromium

if [ "${#PROBLEMS[@]}" -gt 0 ]; then
  printf 'services.sh: not root, so nothing was installed or started. Missing:\n' >&2
  printf '  - %s\n' "${PROBLEMS[@]}" >&2
  printf 'Run scripts/services.sh as root, or do the above by hand.\n' >&2
  exit 1
fi
