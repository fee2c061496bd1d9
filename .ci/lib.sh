# Shared helpers for .ci/run and .ci/demo (sourced, not executed).
# They install what the project needs: a virtualenv with the package, and for the
# test suite the Debian packages (Chromium, zbar) and the services it talks to.

log() { printf '\033[1m[archive-svc]\033[0m %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
in_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }

pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  die "Python 3.11 or newer is required (python3 --version)"
}

# ensure_venv [extras]: create .venv and install the project (editable) when needed.
ensure_venv() {
  local extras="${1:-}" spec="." stamp
  [ -n "$extras" ] && spec=".[${extras}]"
  if [ ! -x .venv/bin/python ]; then
    log "creating .venv with $(pick_python)"
    "$(pick_python)" -m venv .venv || die "could not create a virtualenv (Debian: apt-get install python3-venv)"
  fi
  stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    log "installing archive-svc ${extras:+with [$extras] }into .venv (first run takes a minute)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e "$spec"
    touch "$stamp"
  fi
}

have_port() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" != "0" ]; then
    log "need Debian packages: $* (run as root or: sudo apt-get install -y $*)"
    return 1
  fi
  log "apt-get install $*"
  if [ ! -f /tmp/.archive-svc-apt-updated ]; then
    apt-get update -qq >/dev/null && touch /tmp/.archive-svc-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_tools() {
  local missing=()
  command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v socat >/dev/null 2>&1 || missing+=(socat)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}" || { in_ci && die "cannot install ${missing[*]}"; }
  fi
  return 0
}

ensure_postgres() {
  have_port 5432 && return 0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql || die "PostgreSQL is not installed"
  fi
  log "starting PostgreSQL"
  local version; version=$(ls /etc/postgresql | sort -V | tail -n1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do have_port 5432 && break; sleep 1; done
  have_port 5432 || die "PostgreSQL did not start on 127.0.0.1:5432"
}

ensure_mosquitto() {
  # the clients (mosquitto_pub) publish retained messages in the ingest tests
  command -v mosquitto_pub >/dev/null 2>&1 || apt_install mosquitto-clients || die "mosquitto-clients is not installed"
  have_port 1883 && return 0
  command -v mosquitto >/dev/null 2>&1 || apt_install mosquitto || die "Mosquitto is not installed"
  log "starting Mosquitto"
  if [ -f /etc/mosquitto/mosquitto.conf ]; then
    mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
  else
    mosquitto -d -p 1883 || true
  fi
  for _ in $(seq 1 20); do have_port 1883 && break; sleep 0.5; done
  have_port 1883 || die "Mosquitto did not start on 127.0.0.1:1883"
}
