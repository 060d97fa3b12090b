#!/usr/bin/env bash
# Install the Debian packages the test suite uses as independent tools, when missing:
# kcat (a second Kafka client to cross-check ours); prometheus, for its promtool
# (checks deploy/prometheus and runs the alert rules' unit tests) and its server (the
# end-to-end test scrapes the real services and runs every dashboard query); chromium
# and chromium-driver (the aggregator's dashboard page is tested in a headless
# browser); openssl (makes a throwaway CA for the SASL_SSL test). Needs root and apt;
# without them it says what is missing and carries on. The kcat and SASL_SSL tests
# then skip; the deploy, Prometheus and page tests fail, saying what is missing,
# since they have no other judge.
set -uo pipefail
need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || need+=(prometheus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: not root or no apt-get; missing: ${need[*]}" >&2
    exit 0
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
        || echo "system-deps: could not install ${need[*]}" >&2
fi
