#!/bin/bash
# Reference solution for failed-login-ips-heldout-s901-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
172.16.8.19,172.16.6.71
ANSWER
