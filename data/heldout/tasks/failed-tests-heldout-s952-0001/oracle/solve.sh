#!/bin/bash
# Reference solution for failed-tests-heldout-s952-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
test_archive,test_delete,test_notify,test_sort
ANSWER
