#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the admin browser test (config/tests/
# test_admin_browser.py). Idempotent: does nothing when both are present. Never fails CI: when
# the packages cannot be installed (no root, no network), it says so and the test skips.
set -uo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  echo "Chromium and ChromeDriver are installed: $(chromium --version 2>/dev/null)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install_browser: not root and no password-less sudo; the browser test will skip." >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_browser: no apt-get on this machine; the browser test will skip." >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver; then
  echo "Installed: $(chromium --version 2>/dev/null)"
else
  echo "install_browser: apt-get could not install chromium/chromium-driver; the browser test will skip." >&2
fi
exit 0
