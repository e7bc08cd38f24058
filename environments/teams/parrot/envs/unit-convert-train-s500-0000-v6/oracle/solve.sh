#!/bin/bash
# Reference solution for unit-convert-train-s500-0000-v6: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
420
ANSWER
