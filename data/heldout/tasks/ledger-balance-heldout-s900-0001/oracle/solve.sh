#!/bin/bash
# Reference solution for ledger-balance-heldout-s900-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
escrow=451
vault=128
ANSWER
