#!/bin/bash
# Reference solution for failed-login-ips-train-s301-0006: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
192.168.5.38,10.0.4.23,192.168.9.52
ANSWER
