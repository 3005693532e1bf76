#!/usr/bin/env bash
# Runs nianshen and the peer scripts side by side; see BENCHMARKS.md.
#   bench/compare.sh 1m 10m          sizes in calls; --help for the options
# NIANSHEN_BIN=path takes that binary instead of building target/release.
set -euo pipefail
exec python3 "$(dirname "$0")/compare.py" "$@"
