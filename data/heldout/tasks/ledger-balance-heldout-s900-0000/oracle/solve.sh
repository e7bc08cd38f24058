#!/bin/bash
# Reference solution for ledger-balance-heldout-s900-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
vault=100
payroll=369
ANSWER
