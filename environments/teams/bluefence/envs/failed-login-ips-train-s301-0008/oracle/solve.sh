#!/bin/bash
# Reference solution for failed-login-ips-train-s301-0008: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
192.168.1.52,10.0.3.7
ANSWER
