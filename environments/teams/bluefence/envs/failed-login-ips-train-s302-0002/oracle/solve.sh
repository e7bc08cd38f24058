#!/bin/bash
# Reference solution for failed-login-ips-train-s302-0002: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
10.0.3.23,10.0.4.23
ANSWER
