#!/usr/bin/env bash
# Everything `make test` does after the Python setup: install the Debian packages the
# tests drive for real, start a local Neo4j (docker/neo4j-local), lint, type-check, test.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Debian packages: headless Chromium (pages a person looks at), an authoritative DNS
# server (live collection), BIND writing dnstap and the dnstap project's decoder (dnstap
# logs), OpenSSL's s_server (live TLS collection). Installed only when missing; their services are not started
# (policy-rc.d), since the tests start their own on 127.0.0.1.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/nsd ] || need+=(nsd)
[ -x /usr/sbin/named ] || need+=(bind9)
[ -x /usr/bin/dnstap-ldns ] || need+=(dnstap-ldns)
[ -x /usr/bin/openssl ] || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; made_policy=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ -z "$made_policy" ] || rm -f $policy
fi

# A local Neo4j for the Neo4j-marked tests; stopped again if this script started it.
export NEO4J_PASSWORD=${NEO4J_PASSWORD:-graphkit-local}
export NEO4J_USERNAME=neo4j
if ! docker/neo4j-local status >/dev/null 2>&1; then
  docker/neo4j-local start
  trap 'docker/neo4j-local stop >/dev/null 2>&1 || true' EXIT
fi
export GRAPHKIT_TEST_NEO4J_URI=${GRAPHKIT_TEST_NEO4J_URI:-bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}}

$BIN/ruff check graphkit tests bench
$BIN/ruff format --check graphkit tests bench
$BIN/mypy graphkit

mkdir -p test-artifacts
# pytest's own exit code stands, including 5 ("no tests ran").
$BIN/python -m pytest "$@"
