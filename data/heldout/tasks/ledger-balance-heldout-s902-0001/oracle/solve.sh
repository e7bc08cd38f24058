#!/bin/bash
# Reference solution for ledger-balance-heldout-s902-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
treasury=476
vault=335
escrow=46
ANSWER
