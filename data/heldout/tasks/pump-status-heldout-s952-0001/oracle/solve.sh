#!/bin/bash
# Reference solution for pump-status-heldout-s952-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
running=3
stopped=5
fault=1
ANSWER
