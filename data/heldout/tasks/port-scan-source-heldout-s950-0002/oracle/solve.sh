#!/bin/bash
# Reference solution for port-scan-source-heldout-s950-0002: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
203.0.113.125
ANSWER
