#!/bin/bash
# Reference solution for subtitle-timing-heldout-s901-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
cue=2
ms=3800
ANSWER
