#!/bin/bash
# Reference solution for stoich-atoms-train-s102-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=1
H=3
N=4
O=8
ANSWER
