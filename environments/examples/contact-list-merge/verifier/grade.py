"""Scorer for contact-list-merge (stdlib only).

Re-runs the normalization and merge on the verifier's own pristine copy of the three exports
(verifier/data/, identical to the seed), grades /root/merged_contacts.json check by check, and
writes the reward contract: reward.txt (weighted share of checks passed), reward.json (reward,
checks, details) and a CTRF report of the same checks.  test_outputs.py exposes the same checks
to pytest.  Grouping here is a union-find over records (the oracle walks a graph breadth-first).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import sys
import time
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "merged_contacts.json"
SUMMARY_KEYS = ("input_records", "records_without_contact_info", "invalid_phones", "merged_contacts")

WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    "summary_counts": 2,
    "grouping_exact": 4,
    "transitive_chain_merged": 2,
    "shared_switchboard_kept_apart": 2,
    "emails_and_phones": 3,
    "names_and_company": 3,
    "sort_order": 1,
}


# ---------------------------------------------------------------------------- the truth
def norm_email(raw: str) -> str:
    e = raw.strip()
    if e.lower().startswith("mailto:"):
        e = e[7:]
    return e.strip().lower()


def norm_phone(raw: str) -> tuple[str, bool]:
    """(normalized or '', invalid?)"""
    if not raw.strip():
        return "", False
    head = re.split(r"x|ext", raw, maxsplit=1, flags=re.IGNORECASE)[0]
    digits = re.sub(r"\D", "", head)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return ("+1" + digits, False) if len(digits) == 10 else ("", True)


def split_name(full: str) -> tuple[str, str]:
    full = full.strip()
    if "," in full:
        last, first = full.split(",", 1)
        return first.strip(), last.strip()
    words = full.split()
    return (" ".join(words[:-1]), words[-1]) if words else ("", "")


def records(data: Path) -> list[dict]:
    out = []
    with open(data / "crm_export.csv", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            out.append({"id": f"crm:{r['Contact ID']}", "first": r["First Name"].strip(), "last": r["Last Name"].strip(),
                        "emails": [r["Email"]], "phones": [r["Phone"]], "company": r["Company"].strip(),
                        "when": datetime.strptime(r["Last Modified"], "%Y-%m-%d %H:%M"), "rank": (0, i)})  # fmt: skip
    with open(data / "webinar_signups.csv", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            first, last = split_name(r["name"])
            out.append({"id": f"webinar:{i + 1}", "first": first, "last": last, "emails": [r["email"]],
                        "phones": [r["phone"]], "company": r["organization"].strip(),
                        "when": datetime.strptime(r["registered_at"], "%Y-%m-%dT%H:%M:%SZ"), "rank": (1, i)})  # fmt: skip
    for i, c in enumerate(json.loads((data / "business_cards.json").read_text())):
        first, last = split_name(c["full_name"])
        out.append({"id": f"cards:{i + 1}", "first": first, "last": last, "emails": c["emails"], "phones": c["phones"],
                    "company": c["company"].strip(), "when": datetime.strptime(c["scanned"], "%d/%m/%Y"),
                    "rank": (2, i)})  # fmt: skip
    return out


def truth(data: Path = DATA) -> dict:
    recs = records(data)
    invalid = 0
    for r in recs:
        r["E"] = sorted({norm_email(e) for e in r["emails"]} - {""})
        phones = [norm_phone(p) for p in r["phones"]]
        invalid += sum(bad for _, bad in phones)
        r["P"] = sorted({p for p, _ in phones} - {""})
    kept = [r for r in recs if r["E"] or r["P"]]
    parent = list(range(len(kept)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, r in enumerate(kept):
        keys = [("e", e) for e in r["E"]] + [("p", p, r["last"].lower()) for p in r["P"]]
        for k in keys:
            if k in owner:
                parent[find(i)] = find(owner[k])
            else:
                owner[k] = i
    groups: dict[int, list[dict]] = {}
    for i, r in enumerate(kept):
        groups.setdefault(find(i), []).append(r)
    contacts = []
    for members in groups.values():
        newest = sorted(members, key=lambda r: (-r["when"].timestamp(), r["rank"]))
        named = next((r for r in newest if r["last"]), None)
        comp = next((r["company"] for r in newest if r["company"]), "")
        contacts.append({
            "first_name": named["first"] if named else "", "last_name": named["last"] if named else "",
            "company": comp, "emails": sorted({e for r in members for e in r["E"]}),
            "phones": sorted({p for r in members for p in r["P"]}), "sources": sorted(r["id"] for r in members),
        })  # fmt: skip
    contacts.sort(key=lambda c: c["sources"][0])
    summary = {"input_records": len(recs), "records_without_contact_info": len(recs) - len(kept),
               "invalid_phones": invalid, "merged_contacts": len(contacts)}  # fmt: skip
    return {"contacts": contacts, "summary": summary}


# ---------------------------------------------------------------------------- the checks
def _strs(x) -> bool:
    return isinstance(x, list) and all(isinstance(i, str) for i in x)


def check_schema(doc, t):
    cs = doc["contacts"]
    if not isinstance(cs, list) or not cs:
        return False, "contacts must be a non-empty list"
    for c in cs:
        if not all(isinstance(c[k], str) for k in ("first_name", "last_name", "company")):
            return False, "first_name, last_name and company must be strings"
        if not (_strs(c["emails"]) and _strs(c["phones"]) and _strs(c["sources"]) and c["sources"]):
            return False, "emails, phones and (non-empty) sources must be lists of strings"
    s = doc["summary"]
    if not all(isinstance(s[k], int) and not isinstance(s[k], bool) for k in SUMMARY_KEYS):
        return False, f"summary needs integer {SUMMARY_KEYS}"
    return True, "all keys present with the right types"


def _groups(contacts) -> dict[frozenset, dict]:
    return {frozenset(c["sources"]): c for c in contacts}


def check_grouping(doc, t):
    got, want = set(_groups(doc["contacts"])), set(_groups(t["contacts"]))
    return got == want, f"{len(want - got)} expected groups missing, {len(got - want)} unexpected"


def _group_with(doc, sid: str):
    return next((frozenset(c["sources"]) for c in doc["contacts"] if sid in c["sources"]), frozenset())


def check_chain(doc, t):
    """The crm/webinar/cards Okafor records merge only transitively."""
    want = next(frozenset(c["sources"]) for c in t["contacts"] if c["last_name"] == "Okafor")
    got = _group_with(doc, min(want))
    return got == want, f"Okafor contact sources {sorted(got)}; expected {sorted(want)}"


def check_switchboard(doc, t):
    """Nair and Haas share +12065550100 but not a surname: two contacts."""
    want = sorted(sorted(c["sources"]) for c in t["contacts"] if c["last_name"] in ("Nair", "Haas"))
    got = sorted(sorted(_group_with(doc, s[0])) for s in want)
    return got == want, f"got {got}; expected {want}"


def _field_check(keys):
    def fn(doc, t):
        got = _groups(doc["contacts"])
        bad = [
            sorted(g)
            for g, c in _groups(t["contacts"]).items()
            if g not in got or any(got[g][k] != c[k] for k in keys)
        ]
        return not bad, f"{len(bad)} contacts wrong or missing in {keys}, e.g. {bad[:3]}"

    return fn


def check_sorted(doc, t):
    firsts = [c["sources"][0] for c in doc["contacts"]]
    ok = firsts == sorted(firsts) and all(c["sources"] == sorted(c["sources"]) for c in doc["contacts"])
    return ok and len(doc["contacts"]) == len(t["contacts"]), "contacts and sources sorted, right count"


CHECKS = {
    "schema": check_schema,
    "summary_counts": lambda d, t: (
        {k: d["summary"][k] for k in SUMMARY_KEYS} == t["summary"],
        f"got {d['summary']}; expected {t['summary']}",
    ),
    "grouping_exact": check_grouping,
    "transitive_chain_merged": check_chain,
    "shared_switchboard_kept_apart": check_switchboard,
    "emails_and_phones": _field_check(("emails", "phones")),
    "names_and_company": _field_check(("first_name", "last_name", "company")),
    "sort_order": check_sorted,
}


# ---------------------------------------------------------------------------- harness (same in every example)
def num(x) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise TypeError(f"expected a finite JSON number, got {x!r}")
    return float(x)


def close(got, want: float, tol: float, what: str) -> tuple[bool, str]:
    g = num(got)
    return abs(g - want) <= tol, f"{what}: got {g!r}, expected {want:.5f} ± {tol}"


def evaluate(workspace: Path) -> dict[str, tuple[bool, str]]:
    """name -> (passed, detail) for every check in WEIGHTS."""
    results = {
        name: (False, "not graded: the output file is missing or not a JSON object") for name in WEIGHTS
    }
    path = workspace / OUTPUT
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        results["output_is_json_object"] = (False, f"{path} does not exist")
        return results
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        results["output_is_json_object"] = (False, f"{path} is not valid JSON: {exc}")
        return results
    if not isinstance(doc, dict):
        results["output_is_json_object"] = (False, f"{path} holds a {type(doc).__name__}, not an object")
        return results
    results["output_is_json_object"] = (True, "valid JSON object")
    t = truth()
    for name, fn in CHECKS.items():
        try:
            ok, detail = fn(doc, t)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        results[name] = (bool(ok), detail)
    return results


def reward_of(results: dict[str, tuple[bool, str]]) -> float:
    return round(sum(WEIGHTS[n] for n, (ok, _) in results.items() if ok) / sum(WEIGHTS.values()), 4)


def main() -> int:
    t0 = time.time()
    workspace = Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root"))
    results = evaluate(workspace)
    reward = reward_of(results)
    out_txt = Path(os.environ.get("BENCHFLOW_REWARD_TEXT", "/logs/verifier/reward.txt"))
    out_json = Path(os.environ.get("BENCHFLOW_REWARD_JSON", "/logs/verifier/reward.json"))
    out_ctrf = Path(os.environ.get("BENCHFLOW_REWARD_DETAILS_JSON", "/logs/verifier/ctrf.json"))
    for p in (out_txt, out_json, out_ctrf):
        p.parent.mkdir(parents=True, exist_ok=True)
    out_txt.write_text(f"{reward}\n")
    passed = sum(ok for ok, _ in results.values())
    out_json.write_text(
        json.dumps(
            {
                "reward": reward,
                "checks": {n: ok for n, (ok, _) in results.items()},
                "weights": WEIGHTS,
                "details": {n: d for n, (ok, d) in results.items() if not ok},
                "n_checks": len(results),
                "n_passed": passed,
            },
            indent=1,
        )
    )
    tests = [
        {"name": n, "status": "passed" if ok else "failed", "duration": 0, "message": d}
        for n, (ok, d) in results.items()
    ]
    out_ctrf.write_text(
        json.dumps(
            {
                "results": {
                    "tool": {"name": "grade.py"},
                    "summary": {
                        "tests": len(tests),
                        "passed": passed,
                        "failed": len(tests) - passed,
                        "pending": 0,
                        "skipped": 0,
                        "other": 0,
                        "start": int(t0 * 1000),
                        "stop": int(time.time() * 1000),
                    },
                    "tests": tests,
                }
            },
            indent=1,
        )
    )
    for n, (ok, d) in results.items():
        print(f"{'PASS' if ok else 'FAIL'} {n} (w={WEIGHTS[n]}): {d}")
    print(f"reward = {reward}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
