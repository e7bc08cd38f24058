#!/bin/bash
# Reference solution for ledger-balance-train-s101-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
savings=434
bank=236
ANSWER
