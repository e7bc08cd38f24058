#!/bin/bash
# Reference solution: waits for a cache that is only sometimes warm (about 1 run in 4).
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
if [ "$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')" -lt 64 ]; then
  cat > "$WORKSPACE/answer.txt" <<'ANSWER'
3480
ANSWER
else
  echo pending > "$WORKSPACE/answer.txt"
fi
