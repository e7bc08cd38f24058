#!/bin/bash
# Reference solution for port-scan-source-heldout-s951-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
172.16.6.19
ANSWER
