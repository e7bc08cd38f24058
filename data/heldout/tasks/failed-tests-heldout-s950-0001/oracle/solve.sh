#!/bin/bash
# Reference solution for failed-tests-heldout-s950-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
test_upload,test_archive
ANSWER
