#!/bin/bash
# Reference solution for failed-login-ips-train-s302-0007: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
192.168.1.52,192.168.1.38
ANSWER
