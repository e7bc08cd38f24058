#!/bin/bash
# Reference solution for ledger-balance-train-s102-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
card=283
savings=386
petty=14
ANSWER
