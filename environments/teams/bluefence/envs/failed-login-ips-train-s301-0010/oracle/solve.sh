#!/bin/bash
# Reference solution for failed-login-ips-train-s301-0010: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
10.0.1.89,192.168.20.17
ANSWER
