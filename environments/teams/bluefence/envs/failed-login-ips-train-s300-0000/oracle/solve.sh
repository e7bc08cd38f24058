#!/bin/bash
# Reference solution for failed-login-ips-train-s300-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
10.0.3.23,192.168.20.4
ANSWER
