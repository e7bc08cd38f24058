#!/bin/bash
# Reference solution for stoich-atoms-heldout-s901-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=6
H=16
N=4
O=4
ANSWER
