#!/bin/bash
# Reference solution for ledger-balance-train-s100-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
petty=425
savings=369
ANSWER
