#!/bin/bash
# Reference solution for failed-login-ips-train-s300-0003: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
10.0.3.41,192.168.5.38
ANSWER
