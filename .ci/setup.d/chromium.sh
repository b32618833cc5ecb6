#!/usr/bin/env bash
# Headless Chromium for the report screenshot test (tests/gradebook/test_report_browser.py).
# The test skips itself when no chromium is found, so a failure here is not fatal.
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 \
        || echo "warning: could not install chromium; the report screenshot test will be skipped" >&2
fi
exit 0
