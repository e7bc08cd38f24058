#!/bin/bash
# Reference solution for port-scan-source-heldout-s952-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
172.16.11.3
ANSWER
