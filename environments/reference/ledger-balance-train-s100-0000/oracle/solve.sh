#!/bin/bash
# Reference solution for ledger-balance-train-s100-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
cash=44
bank=220
ANSWER
