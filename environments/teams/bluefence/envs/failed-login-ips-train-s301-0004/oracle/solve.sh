#!/bin/bash
# Reference solution for failed-login-ips-train-s301-0004: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
192.168.5.4,192.168.5.17,10.0.2.66
ANSWER
