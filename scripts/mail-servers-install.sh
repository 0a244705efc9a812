#!/usr/bin/env bash
# Installs the real mail servers that the `verify --connect` tests run on loopback (Debian's
# Dovecot 2.3 and Postfix 3.7), when missing. Idempotent: when every package is installed it only
# asks dpkg and exits. Leaves no system daemon running: the tests start their own instances from
# configs in a temporary folder (test/helpers/mail-servers.ts).
# Facts used here: shared/reference/mail-servers.md section 1.
set -euo pipefail

PACKAGES=(dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-managesieved postfix)
ME=mail-servers-install

die() {
  echo "$ME: $1" >&2
  exit 1
}

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${PACKAGES[@]}"; do
  is_installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ -x /usr/sbin/dovecot ] && [ -x /usr/sbin/postfix ]; then
  exit 0
fi
[ ${#missing[@]} -eq 0 ] && missing=("${PACKAGES[@]}") # binaries gone although dpkg says installed

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  die "cannot install ${missing[*]}: needs root and apt-get (run: apt-get install --no-install-recommends ${missing[*]})"
fi

log=$(mktemp /tmp/mail-servers-install.XXXXXX.log)

# There is no init system, so invoke-rc.d refuses to start services anyway; a policy-rc.d that
# answers 101 ("action forbidden") makes that explicit. Create one only if it is missing, and
# remove only the one we created (docker images ship their own).
created_policy=no
cleanup() {
  if [ "$created_policy" = yes ]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# made by mailcert %s; removed when it ends\nexit 101\n' "$ME" >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=yes
fi

export DEBIAN_FRONTEND=noninteractive
# "No configuration": no /etc/postfix/main.cf and no newaliases run (3.3 s instead of 9.5 s).
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections

apt_install() {
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1
}
# A fresh machine may have no package lists yet: update once and retry.
if ! apt_install; then
  apt-get update -q >>"$log" 2>&1 || true
  apt_install || die "apt-get install --no-install-recommends ${missing[*]} failed (log: $log)"
fi

# If a package's maintainer script did start a daemon anyway, stop it by its system pid file
# (never by name: test instances from a temporary folder may be running).
stop_pidfile() {
  local pidfile=$1 pid
  [ -r "$pidfile" ] || return 0
  pid=$(tr -dc 0-9 <"$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do # Dovecot and Postfix exit within 2-3 s of SIGTERM; allow 10
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  die "the system daemon with pid $pid ($pidfile) did not stop after SIGTERM"
}
stop_pidfile /run/dovecot/master.pid
stop_pidfile /var/spool/postfix/pid/master.pid

for p in "${PACKAGES[@]}"; do
  is_installed "$p" || die "${PACKAGES[*]}: $p is still not installed after apt-get (log: $log)"
done
[ -x /usr/sbin/dovecot ] && [ -x /usr/sbin/postfix ] ||
  die "${PACKAGES[*]}: /usr/sbin/dovecot or /usr/sbin/postfix missing after apt-get (log: $log)"
rm -f "$log"
