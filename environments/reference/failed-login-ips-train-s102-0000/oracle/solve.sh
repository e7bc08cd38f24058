#!/bin/bash
# Reference solution for failed-login-ips-train-s102-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
10.0.2.23,192.168.5.38
ANSWER
