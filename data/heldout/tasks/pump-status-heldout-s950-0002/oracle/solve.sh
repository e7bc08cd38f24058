#!/bin/bash
# Reference solution for pump-status-heldout-s950-0002: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
running=2
stopped=3
fault=0
ANSWER
