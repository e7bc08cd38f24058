#!/bin/bash
# Reference solution for subtitle-timing-heldout-s901-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
cue=4
ms=3800
ANSWER
