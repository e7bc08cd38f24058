#!/bin/bash
# Reference solution for stoich-atoms-train-s201-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=3
H=12
N=4
O=6
ANSWER
