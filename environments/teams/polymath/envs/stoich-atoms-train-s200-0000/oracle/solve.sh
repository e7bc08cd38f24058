#!/bin/bash
# Reference solution for stoich-atoms-train-s200-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
H=6
N=2
ANSWER
