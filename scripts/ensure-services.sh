#!/usr/bin/env bash
# Start what the test suite talks to, when this machine can: the local PostgreSQL server (API tests
# on PostgreSQL) and Debian's Chromium (browser tests). Tests that need a missing one are skipped
# with the reason, so a laptop without them still runs everything else.
set -u
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1 || true
fi
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "ensure-services: could not install chromium; browser tests will be skipped"
fi
exit 0
