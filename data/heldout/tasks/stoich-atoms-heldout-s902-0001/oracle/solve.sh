#!/bin/bash
# Reference solution for stoich-atoms-heldout-s902-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=1
H=11
N=1
O=19
ANSWER
