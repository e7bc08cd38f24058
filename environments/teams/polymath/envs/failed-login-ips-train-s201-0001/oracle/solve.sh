#!/bin/bash
# Reference solution for failed-login-ips-train-s201-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
192.168.5.120,192.168.20.120
ANSWER
