#!/bin/bash
# Reference solution for failed-login-ips-train-s100-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
192.168.5.38,192.168.1.120
ANSWER
