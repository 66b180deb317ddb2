#!/usr/bin/env bash
# Installs the Debian packages the integration tests drive for real (nginx in front of
# pagi-server, chromium for the demo's browser test, redis-server for @pagi/channels). Skipped
# when already present, or when not root (tests that need a missing program then say so and are
# skipped with a reason).
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/bin/chromium ] || need+=(chromium)
# redis-server for @pagi/channels' Redis backend tests. Only the binary is needed: each test file
# starts its own private instance on a free loopback port (isolated, no persistence), so no
# service is started or configured here and nothing is exported (whether the Debian package's own
# service on :6379 runs does not matter to them). In CI (CI=true) those tests fail without it.
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "system-deps: missing ${need[*]} (not root; the tests that need them will be skipped)"
  fi
fi
