#!/usr/bin/env bash
# Installs Debian's prometheus package (prometheus + promtool) when missing. Called by the local-stack
# launcher and the rules test; prints the reason and exits 1 when it cannot (not root, no apt).
set -euo pipefail
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "prometheus is missing and this user cannot install it: run 'apt-get install prometheus' as root" >&2; exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "prometheus is missing and apt-get is not available: install Prometheus 2.x (prometheus, promtool) on the PATH" >&2; exit 1
fi
echo "installing prometheus (apt-get) ..." >&2
# the package's own service is not wanted (the stack runs its own Prometheus): policy-rc.d keeps it stopped
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1; then
  apt-get update -q >/dev/null 2>&1 || true
  apt-get install -y -q --no-install-recommends prometheus >/dev/null
fi
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1
