#!/bin/bash
# Reference solution for stoich-atoms-train-s101-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=2
H=6
N=8
ANSWER
