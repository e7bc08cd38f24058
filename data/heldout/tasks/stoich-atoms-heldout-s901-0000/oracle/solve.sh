#!/bin/bash
# Reference solution for stoich-atoms-heldout-s901-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=3
H=8
O=9
ANSWER
