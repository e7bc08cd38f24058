#!/bin/bash
# Reference solution for regression-bisect-snapshots: run the HEAD suite against every snapshot
# in its own interpreter (a tiny runner instead of pytest, for speed), then walk the results
# backwards from HEAD for each failing test.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
HIST="$WS/history"
RUNNER="$(mktemp -d)/run_suite.py"
cat > "$RUNNER" <<'PY'
import importlib.util
import json
import sys

try:
    import textkit  # noqa: F401  (found through PYTHONPATH)
except Exception:
    sys.exit(3)
spec = importlib.util.spec_from_file_location("test_textkit", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
out = {}
for name in dir(mod):
    if name.startswith("test_"):
        try:
            getattr(mod, name)()
            out[name] = "pass"
        except Exception:
            out[name] = "fail"
print(json.dumps(out))
PY

RESULTS="$(mktemp)"
for sha in $(python3 -c "import json,sys; print(' '.join(c['sha'] for c in json.load(open(sys.argv[1]))['commits']))" "$HIST/log.json"); do
  if out=$(PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$HIST/snapshots/$sha" python3 "$RUNNER" "$HIST/tests/test_textkit.py"); then
    printf '%s\t%s\n' "$sha" "$out" >> "$RESULTS"
  else
    printf '%s\tUNTESTABLE\n' "$sha" >> "$RESULTS"
  fi
done

WS="$WS" RESULTS="$RESULTS" python3 - <<'PY'
import json
import os

ws = os.environ["WS"]
log = json.load(open(os.path.join(ws, "history", "log.json")))["commits"]
meta = {c["sha"]: c for c in log}
order, res = [], {}
for line in open(os.environ["RESULTS"]):
    sha, payload = line.rstrip("\n").split("\t", 1)
    order.append(sha)
    res[sha] = None if payload == "UNTESTABLE" else json.loads(payload)

head = order[-1]
report = {"head": head, "untestable_commits": [s for s in order if res[s] is None], "failing_tests": []}
for test in sorted(t for t, v in res[head].items() if v == "fail"):
    # walk back from HEAD to the most recent pass
    idx = len(order) - 1
    while idx >= 0 and (res[order[idx]] is None or res[order[idx]][test] != "pass"):
        idx -= 1
    if idx < 0:
        report["failing_tests"].append({"test": test, "status": "never_passed", "last_good": None, "first_bad": None,
                                        "first_bad_author": None, "first_bad_message": None, "skipped": []})
        continue
    good = order[idx]
    skipped, j = [], idx + 1
    while res[order[j]] is None or res[order[j]][test] != "fail":
        if res[order[j]] is None:
            skipped.append(order[j])
        j += 1
    bad = order[j]
    report["failing_tests"].append({"test": test, "status": "regressed", "last_good": good, "first_bad": bad,
                                    "first_bad_author": meta[bad]["author"], "first_bad_message": meta[bad]["message"],
                                    "skipped": skipped})

with open(os.path.join(ws, "bisect_report.json"), "w") as fh:
    json.dump(report, fh, indent=2)
print(json.dumps(report, indent=2))
PY
