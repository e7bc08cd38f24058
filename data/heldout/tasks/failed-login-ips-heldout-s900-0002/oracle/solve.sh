#!/bin/bash
# Reference solution for failed-login-ips-heldout-s900-0002: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
172.16.8.44,203.0.113.155
ANSWER
