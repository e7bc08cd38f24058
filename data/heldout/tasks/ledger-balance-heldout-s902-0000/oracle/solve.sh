#!/bin/bash
# Reference solution for ledger-balance-heldout-s902-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
escrow=327
vault=61
treasury=204
ANSWER
