#!/bin/bash
# Reference solution for stoich-atoms-heldout-s902-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=1
H=9
N=15
O=21
ANSWER
