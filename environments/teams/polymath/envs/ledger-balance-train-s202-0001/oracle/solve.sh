#!/bin/bash
# Reference solution for ledger-balance-train-s202-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
cash=620
petty=294
savings=439
ANSWER
