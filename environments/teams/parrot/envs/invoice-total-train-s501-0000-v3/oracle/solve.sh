#!/bin/bash
# Reference solution for invoice-total-train-s501-0000-v3: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
44
ANSWER
