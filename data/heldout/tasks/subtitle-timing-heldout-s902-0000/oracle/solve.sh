#!/bin/bash
# Reference solution for subtitle-timing-heldout-s902-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
cue=1
ms=2850
ANSWER
