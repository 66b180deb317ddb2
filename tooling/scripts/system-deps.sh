#!/usr/bin/env bash
# Installs the Debian packages the integration tests drive for real (nginx in front of
# pagi-server, chromium for the demo's browser test). Skipped when already present, or when not
# root (tests that need a missing program then say so and are skipped with a reason).
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "system-deps: missing ${need[*]} (not root; the tests that need them will be skipped)"
  fi
fi
