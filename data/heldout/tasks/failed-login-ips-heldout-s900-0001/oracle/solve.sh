#!/bin/bash
# Reference solution for failed-login-ips-heldout-s900-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
203.0.113.75,203.0.113.65
ANSWER
