#!/usr/bin/env python3
"""Materialize the demo corpora from the procedural families (deterministic and re-runnable).

  environments/reference/          the fixed reference corpus (the baseline): 10 tasks per domain
  environments/teams/polymath/     a broad entry: every training family, all eight domains
  environments/teams/bluefence/    a narrow entry: cybersecurity only
  environments/teams/hasty/        an entry with planted quality problems, listed in DEFECTS.yaml
  environments/teams/parrot/       the memorization control: near-duplicates of 8 instances
  data/heldout/                    the held-out suite: 21 tasks per domain, near + far transfer,
                                   manifest.csv, public_sample.txt, README.md

Training corpora use only non-reserved families on the train split.  The held-out suite uses the
held-out split (the other half of every entity pool, paraphrased questions) of the same
families (near transfer) plus the reserved families that no training corpus contains (far
transfer).  The build refuses to finish if any held-out prompt or entity also occurs in a
training corpus.

usage:
  python scripts/build_corpora.py                 # rebuild everything in place
  python scripts/build_corpora.py --check         # rebuild in a temp dir, compare with the tree
  python scripts/build_corpora.py --root /tmp/x   # build somewhere else
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from arena import domains, families  # noqa: E402
from arena.families.base import Generated, write_generated  # noqa: E402
from arena.task import tree_digest  # noqa: E402

#: difficulty mixes: broad team entry (6 per family), held-out suite (7 per family)
MIX6 = {"easy": 2, "medium": 2, "hard": 2}
MIX7 = {"easy": 3, "medium": 2, "hard": 2}
#: seeds: one base per corpus, + the difficulty's index (so ids never collide across difficulties)
SEEDS = {"reference": 100, "polymath": 200, "bluefence": 300, "hasty": 400, "parrot": 500, "heldout": 900}
TEAMS = {
    "polymath": {
        "team_name": "Polymath",
        "contact_email": "polymath@example.org",
        "what": "broad: 6 tasks from each of the 16 training families, all eight domains",
    },
    "bluefence": {
        "team_name": "Blue Fence",
        "contact_email": "bluefence@example.org",
        "what": "narrow: cybersecurity only, the 200-task maximum (web attack triage and failed-login IPs)",
    },
    "hasty": {
        "team_name": "Hasty Labs",
        "contact_email": "hasty@example.org",
        "what": "quality problems planted on purpose; every one is listed in DEFECTS.yaml",
    },
    "parrot": {
        "team_name": "Parrot Labs",
        "contact_email": "parrot@example.org",
        "what": "the memorization control: 8 instances (2 of each of 4 families), each repeated as 7 "
        "near-duplicates (same entities and numbers, trivially reworded)",
    },
}
HASTY_FAMILIES = (
    "unit-convert",
    "meter-delta",
    "invoice-total",
    "action-items",
    "playlist-duration",
    "code-output",
)
#: parrot: 2 instances (easy, medium) of each family, each written as PARROT_COPIES near-duplicates
PARROT_FAMILIES = ("unit-convert", "invoice-total", "metric-argmax", "code-output")
PARROT_COPIES = 7
#: what makes copy k > 0 differ from copy 0: a lead-in line, plus the family's train-split intro
#: and question templates drawn again (the data, the entities, the numbers and the answer stay)
PARROT_LEADS = ("Quick one.", "Please help with this.", "Another one from the queue.", "Same as before:",
                "From the team channel:", "Re-check this one.")  # fmt: skip
PUBLIC_SAMPLE = 20


# --------------------------------------------------------------------------- drawing tasks


def draw(family: str, mix: dict[str, int], seed_base: int, split: str, seen: set[str]) -> list[Generated]:
    """Instances of one family, ``mix[difficulty]`` of each, skipping prompts already in ``seen``."""
    fam = families.get(family)
    out = []
    for d_i, (difficulty, n) in enumerate(mix.items()):
        i = got = 0
        while got < n:
            g = fam.generate_one(seed_base + d_i, i, difficulty, split)
            i += 1
            if g.prompt in seen:
                continue
            seen.add(g.prompt)
            out.append(g)
            got += 1
    return out


def write_all(gens: list[Generated], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [write_generated(g, out) for g in gens]


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def near_duplicates(g: Generated, copies: int, seen: set[str]) -> list[Generated]:
    """``copies`` tasks of one instance: same data and answer, trivially different prompts
    (ids ``<id>-v0`` .. ``<id>-v{copies-1}``; copy 0 keeps the drawn prompt)."""
    if copies - 1 > len(PARROT_LEADS):
        raise ValueError(f"at most {len(PARROT_LEADS) + 1} copies (one per lead-in line)")
    out = []
    for k in range(copies):
        if k == 0:
            prompt = g.prompt
        else:
            rng = random.Random(f"arena-parrot:{g.task_id}:{k}")
            prompt = f"{PARROT_LEADS[k - 1]}\n{g.family.prompt(g.instance, rng, g.split)}"
        if k and prompt in seen:
            raise RuntimeError(f"{g.task_id}: near-duplicate {k} repeats a prompt")
        seen.add(prompt)
        out.append(dataclasses.replace(g, task_id=f"{g.task_id}-v{k}", prompt=prompt))
    return out


# --------------------------------------------------------------------------- planted defects


def _patch(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise RuntimeError(f"cannot plant defect: {old!r} not in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _nop_passes(root: Path, g: Generated) -> None:
    # "nothing to grade" treated as a pass: the empty trial scores 1.0
    _patch(
        root / "verifier" / "verify.py",
        "        checks.update(parseable=False, format_valid=False, exact=False)\n        return 0.0, checks\n"
        "    ans = text.strip()",
        "        checks.update(parseable=False, format_valid=False, exact=False)\n        return 1.0, checks\n"
        "    ans = text.strip()",
    )


def _oracle_flaky(root: Path, g: Generated) -> None:
    (root / "oracle" / "solve.sh").write_text(
        "#!/bin/bash\n"
        "# Reference solution: waits for a cache that is only sometimes warm (about 1 run in 4).\n"
        "set -e\n"
        'WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"\n'
        'mkdir -p "$WORKSPACE"\n'
        "if [ \"$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')\" -lt 64 ]; then\n"
        "  cat > \"$WORKSPACE/answer.txt\" <<'ANSWER'\n"
        f"{g.answer}\n"
        "ANSWER\n"
        "else\n"
        '  echo pending > "$WORKSPACE/answer.txt"\n'
        "fi\n",
        encoding="utf-8",
    )


def _oracle_fails(root: Path, g: Generated) -> None:
    # the right value wrapped in words: the strict verifier gives it no credit
    _patch(root / "oracle" / "solve.sh", f"ANSWER'\n{g.answer}\n", f"ANSWER'\nAnswer: {g.answer}\n")


def _oracle_in_env(root: Path, g: Generated) -> None:
    shutil.copy2(root / "oracle" / "solve.sh", root / "environment" / "solve.sh")
    _patch(
        root / "environment" / "Dockerfile",
        "WORKDIR /root\n",
        "WORKDIR /root\nCOPY solve.sh /root/solve.sh\n",
    )


def _verifier_in_env(root: Path, g: Generated) -> None:
    shutil.copy2(root / "verifier" / "expected.json", root / "environment" / "expected.json")
    _patch(
        root / "environment" / "Dockerfile", "WORKDIR /root\n", "WORKDIR /root\nCOPY expected.json /root/\n"
    )


def _copy_outside(root: Path, g: Generated) -> None:
    _patch(
        root / "environment" / "Dockerfile",
        "WORKDIR /root\n",
        "WORKDIR /root\nCOPY ../verifier/expected.json /root/expected.json\n",
    )


def _first_not_from(root: Path, g: Generated) -> None:
    (root / "environment" / "Dockerfile").write_text(
        "WORKDIR /root\nFROM arena-base:py3.11\n", encoding="utf-8"
    )


def _unknown_category(root: Path, g: Generated) -> None:
    _patch(root / "task.md", f"  category: {g.family.domain}\n", "  category: fintech\n")


def _missing_test_sh(root: Path, g: Generated) -> None:
    (root / "verifier" / "test.sh").unlink()


def _empty_prompt(root: Path, g: Generated) -> None:
    text = (root / "task.md").read_text(encoding="utf-8")
    head = text.split("## prompt", 1)[0]
    (root / "task.md").write_text(head + "## prompt\n\n", encoding="utf-8")


def _bad_email(root: Path, g: Generated) -> None:
    _patch(root / "task.md", "  author_email: generator@example.org\n", "  author_email: hasty-labs\n")


#: (rule that must report it, static|dynamic, what was planted, how)
DEFECTS = (
    ("validate.nop-passes", "dynamic", "verify.py scores a missing answer 1.0", _nop_passes),
    ("validate.oracle-flaky", "dynamic", "solve.sh writes the answer in about 1 run of 4", _oracle_flaky),
    ("validate.oracle-fails", "dynamic", "solve.sh wraps the answer in words (`Answer: ...`)", _oracle_fails),
    ("leak.oracle-in-environment", "static", "environment/ ships a copy of oracle/solve.sh", _oracle_in_env),
    ("leak.verifier-in-environment", "static", "environment/ ships a copy of verifier/expected.json",
     _verifier_in_env),
    ("leak.copy-outside-context", "static", "Dockerfile COPYs ../verifier/expected.json", _copy_outside),
    ("dockerfile.first-instruction", "static", "Dockerfile starts with WORKDIR, not FROM", _first_not_from),
    ("metadata.category", "static", "category `fintech` is not a domain id", _unknown_category),
    ("structure.missing-file", "static", "verifier/test.sh is missing", _missing_test_sh),
    ("prompt.empty", "static", "the `## prompt` section is empty", _empty_prompt),
    ("frontmatter.field", "static", "author_email `hasty-labs` is not an address", _bad_email),
)  # fmt: skip
#: what a 3-run validator may equally report for a defect (the flaky oracle can fail all 3 runs)
ALSO = {"validate.oracle-flaky": ["validate.oracle-fails"]}


def plant_defects(envs: Path, gens: list[Generated]) -> dict[str, dict]:
    """Break 11 tasks (one defect each, spread over the families) and add one duplicate task."""
    out = {}
    for k, (rule, kind, what, fn) in enumerate(DEFECTS):
        g = gens[5 * k + 2]
        fn(envs / g.task_id, g)
        out[g.task_id] = {"rule": rule, "kind": kind, "what": what}
        if rule in ALSO:
            out[g.task_id]["also"] = ALSO[rule]
    src = gens[-1]
    dup = f"{src.task_id}-copy"
    shutil.copytree(envs / src.task_id, envs / dup)
    out[dup] = {"rule": "entry.duplicate-task", "kind": "static", "what": f"identical copy of {src.task_id}"}
    return out


# --------------------------------------------------------------------------- corpora


def build_reference(root: Path, seen: set[str]) -> list[Generated]:
    gens = []
    for fam in families.names(reserved=False):
        gens += draw(fam, {"easy": 2, "medium": 2, "hard": 1}, SEEDS["reference"], "train", seen)
    out = root / "environments" / "reference"
    write_all(gens, out)
    write_text(out / "README.md", corpus_readme("Reference corpus (baseline)", gens, REFERENCE_INTRO))
    return gens


def build_teams(root: Path, seen: set[str]) -> dict[str, list[Generated]]:
    plans = {
        "polymath": {f: MIX6 for f in families.names(reserved=False)},
        "bluefence": {"web-attack-type": {"easy": 56, "medium": 56, "hard": 56},
                      "failed-login-ips": {"easy": 12, "medium": 12, "hard": 8}},
        "hasty": {f: {"easy": 4, "medium": 4, "hard": 2} for f in HASTY_FAMILIES},
        "parrot": {f: {"easy": 1, "medium": 1} for f in PARROT_FAMILIES},
    }  # fmt: skip
    teams_dir = root / "environments" / "teams"
    out = {}
    for team, plan in plans.items():
        gens = []
        for fam, mix in plan.items():
            gens += draw(fam, mix, SEEDS[team], "train", seen)
        if team == "parrot":
            gens = [c for g in gens for c in near_duplicates(g, PARROT_COPIES, seen)]
        entry = teams_dir / team
        write_all(gens, entry / "envs")
        meta = TEAMS[team]
        write_text(
            entry / "submission.yaml",
            f"team_name: {meta['team_name']}\ncontact_email: {meta['contact_email']}\ntrack: environments\n",
        )
        if team == "hasty":
            defects = plant_defects(entry / "envs", gens)
            write_text(
                entry / "DEFECTS.yaml", DEFECTS_HEADER + yaml.safe_dump(defects, sort_keys=True, width=100)
            )
        out[team] = gens
    write_text(teams_dir / "README.md", teams_readme(out))
    return out


def build_heldout(
    root: Path, train_prompts: set[str], train_entities: set[str], seed: int
) -> list[Generated]:
    out = root / "data" / "heldout"
    gens = []
    seen = set(train_prompts)
    for d in domains.DOMAIN_IDS:
        for fam in families.names(domain=d):
            base = seed + (50 if families.get(fam).reserved else 0)
            gens += draw(fam, MIX7, base, "heldout", seen)
    for g in gens:  # the guarantee the README promises, checked on every build
        if g.prompt in train_prompts:
            raise RuntimeError(f"{g.task_id}: prompt also occurs in a training corpus")
        both = set(g.instance.entities) & train_entities
        if both:
            raise RuntimeError(f"{g.task_id}: entities {sorted(both)} also occur in a training corpus")
    tasks = out / "tasks"
    write_all(gens, tasks)
    rows = []
    for g in sorted(
        gens, key=lambda g: (domains.DOMAIN_IDS.index(g.family.domain), g.family.name, g.task_id)
    ):
        rows.append({
            "task_id": g.task_id,
            "domain": g.family.domain,
            "family": g.family.name,
            "transfer": "far" if g.family.reserved else "near",
            "digest": tree_digest(tasks / g.task_id),
            "difficulty": g.difficulty,
        })  # fmt: skip
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    write_text(out / "manifest.csv", buf.getvalue())
    write_text(out / "public_sample.txt", "\n".join(public_sample(rows)) + "\n")
    write_text(out / "README.md", heldout_readme(rows, seed))
    return gens


def public_sample(rows: list[dict]) -> list[str]:
    """20 ids: per domain one near task of each training family, plus far tasks of four domains."""
    rng = random.Random("arena-heldout-public-sample")
    picked = []
    far_domains = set(rng.sample(list(domains.DOMAIN_IDS), PUBLIC_SAMPLE - 2 * len(domains.DOMAIN_IDS)))
    for d in domains.DOMAIN_IDS:
        for fam in families.names(domain=d):
            pool = [r["task_id"] for r in rows if r["family"] == fam]
            if not families.get(fam).reserved or d in far_domains:
                picked.append(rng.choice(pool))
    return sorted(picked)


# --------------------------------------------------------------------------- READMEs


REFERENCE_INTRO = """\
The fixed reference corpus: the baseline model of every comparison is post-trained on it, and a
team's score is its pass-rate gain over that baseline on the held-out suite.  It samples every
training family on the train split (2 easy, 2 medium, 1 hard each), 10 tasks per domain.
Regenerate with `python scripts/build_corpora.py`; do not edit by hand."""


def _table(gens: list[Generated]) -> str:
    by = Counter((g.family.domain, g.family.name) for g in gens)
    lines = ["| domain | family | tasks |", "|---|---|---|"]
    lines += [
        f"| {d} | {f} | {n} |"
        for (d, f), n in sorted(by.items(), key=lambda x: (domains.DOMAIN_IDS.index(x[0][0]), x[0][1]))
    ]
    return "\n".join(lines)


def corpus_readme(title: str, gens: list[Generated], intro: str) -> str:
    return f"# {title}\n\n{intro}\n\n{len(gens)} tasks:\n\n{_table(gens)}\n"


def teams_readme(teams: dict[str, list[Generated]]) -> str:
    lines = [
        "# Demo team entries",
        "",
        f"{len(teams)} entries in the organizers' layout (`submission.yaml` + `envs/<task>/`), generated by",
        "`python scripts/build_corpora.py` from the procedural families (train split only):",
        "",
        "| entry | team | tasks | domains | what |",
        "|---|---|---|---|---|",
    ]
    for team, gens in teams.items():
        doms = len({g.family.domain for g in gens})
        lines.append(
            f"| {team} | {TEAMS[team]['team_name']} | {len(gens)} | {doms} | {TEAMS[team]['what']} |"
        )
    lines += [
        "",
        "`hasty/DEFECTS.yaml` maps every broken task to the rule that must report it: `static` ones",
        "show up in `arena check environments/teams/hasty`, `dynamic` ones in `arena validate` (the",
        "oracle/nop trials).  The duplicate (`…-copy`) is one extra folder, so hasty holds 61 packages.",
        "",
        "`parrot` is the **memorization control**: it looks strong on its own tasks and should not",
        "generalize.  It holds only 8 instances (an easy and a medium one of "
        + ", ".join(f"`{f}`" for f in PARROT_FAMILIES) + "),",
        f"each written {PARROT_COPIES} times (`…-v0` … `…-v{PARROT_COPIES - 1}`): the same data, entities, "
        "numbers and answer, with a",
        "lead-in line (`Quick one.`, …) and the family's train-split wording drawn again.  A model trained on it",
        "can pass all of its training tasks by recalling 8 answers without learning the families; the",
        "memorization probe (`arena/memorization.py`) measures exactly that: its pass rate on these tasks",
        "against fresh instances of the same four families and the held-out suite.  Every copy is a valid task",
        "(`arena check` and the oracle/nop ladder pass), and the build's overlap refusal covers it like",
        "every training corpus.",
        "",
    ]
    return "\n".join(lines)


DEFECTS_HEADER = """\
# Planted quality problems of the `hasty` demo entry: task id -> the rule that must report it.
#   kind: static   `arena check` reports it (no trial needed)
#   kind: dynamic  `arena validate` reports it (oracle x3 + nop trials)
#   also:          rules that equally describe it (a 1-in-4 oracle fails all 3 runs 42% of the time;
#                  it passes all 3 by luck 1.6% of the time, so run `--oracle-runs 6` to be sure)
# Every other task of the entry is clean.  Regenerated by scripts/build_corpora.py.
"""


def heldout_readme(rows: list[dict], seed: int) -> str:
    per = Counter((r["domain"], r["transfer"]) for r in rows)
    table = ["| domain | near | far | total |", "|---|---|---|---|"]
    for d in domains.DOMAIN_IDS:
        table.append(
            f"| {d} | {per[(d, 'near')]} | {per[(d, 'far')]} | {per[(d, 'near')] + per[(d, 'far')]} |"
        )
    far = ", ".join(f"`{f}`" for f in families.names(reserved=True))
    return f"""# Held-out suite

{len(rows)} single-turn tasks, {len(rows) // len(domains.DOMAIN_IDS)} per domain, on which every post-trained
model (the reference baseline and each team's) is scored.  Built by `python scripts/build_corpora.py`
(held-out seed base {seed}); do not edit by hand.

| file | what |
|---|---|
| `tasks/<task_id>/` | the packages (organizers' layout; answer file `/root/answer.txt`) |
| `manifest.csv` | task_id, domain, family, transfer (near/far), digest (`arena.task.tree_digest`), difficulty |
| `public_sample.txt` | {PUBLIC_SAMPLE} task ids that may be shown to teams (format preview); the rest stays sealed |

{chr(10).join(table)}

## How it was made

* **Near transfer** (two families per domain): the same procedural families the training corpora
  use, drawn with `split="heldout"`: new seeds, the *other half* of every entity pool (sample
  names, sensors, IP ranges, hosts, items, accounts, people, meeting names, track titles, config
  keys, run names, variable names, module paths…) and paraphrased questions (the intro and the
  question are worded differently; the answer contract, i.e. the answer-format and answer-file
  lines, is the suite's published format and reads the same).  Difficulty mix per family: 3 easy,
  2 medium, 2 hard.
* **Far transfer** (one family per domain: {far}): families that are *reserved*: no training
  corpus contains them.  They reuse the shared skills (extraction, counting, arithmetic,
  comparison) and the shared answer formats (int, kv, list, token) in a new task shape, so a
  gain there measures transfer rather than memorisation.

## Why it cannot overlap the training data

1. Entity pools are split in two disjoint halves in the family code (`Pool` refuses overlapping
   halves); training corpora draw only from the train half, this suite only from the held-out half.
2. Prompt templates are split the same way: no held-out prompt sentence occurs in a train prompt.
3. Reserved families are excluded from every training corpus by the build script.
4. The build recomputes the guarantee: it aborts if any held-out prompt, or any entity a
   held-out task uses, also occurs in the reference corpus or a team entry.
   `tests/test_corpora.py` re-checks it on the committed files, and the digests in
   `manifest.csv` show whether a package changed after the fact.

The generator is public in this repository, so this suite demonstrates the protocol; an
organizer sealing a real suite rebuilds it with a private `--heldout-seed`.
"""


# --------------------------------------------------------------------------- main


def build(root: Path, heldout_seed: int = SEEDS["heldout"]) -> dict:
    for rel in ("environments/reference", "data/heldout", "environments/teams/README.md",
                *(f"environments/teams/{t}" for t in TEAMS)):  # fmt: skip
        p = root / rel
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    seen: set[str] = set()
    ref = build_reference(root, seen)
    teams = build_teams(root, seen)
    training = ref + [g for gs in teams.values() for g in gs]
    if any(g.family.reserved for g in training):
        raise RuntimeError("a reserved (far-transfer) family leaked into a training corpus")
    entities = {e for g in training for e in g.instance.entities}
    held = build_heldout(root, {g.prompt for g in training}, entities, heldout_seed)
    return {"reference": ref, **teams, "heldout": held}


def corpus_dirs(root: Path) -> dict[str, Path]:
    d = {"reference": root / "environments" / "reference", "heldout": root / "data" / "heldout"}
    d |= {t: root / "environments" / "teams" / t for t in TEAMS}
    return d


def size_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def summary(built: dict, root: Path) -> str:
    lines = []
    header = f"{'corpus':<10} " + " ".join(f"{d[:10]:>10}" for d in domains.DOMAIN_IDS) + "  total      MB"
    lines.append(header)
    for name, gens in built.items():
        c = Counter(g.family.domain for g in gens)
        mb = size_bytes(corpus_dirs(root)[name]) / 1e6
        lines.append(
            f"{name:<10} "
            + " ".join(f"{c.get(d, 0):>10}" for d in domains.DOMAIN_IDS)
            + f"  {len(gens):>5}  {mb:6.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--root", type=Path, default=REPO, help="repository root to build into (default: this repo)"
    )
    ap.add_argument(
        "--check", action="store_true", help="build in a temp dir and compare with --root; exit 1 on drift"
    )
    ap.add_argument(
        "--heldout-seed",
        type=int,
        default=SEEDS["heldout"],
        help="seed base of the held-out suite (organizers: use a private one to seal a real suite)",
    )
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp), args.heldout_seed)
            drift = []
            for name, fresh in corpus_dirs(Path(tmp)).items():
                have = corpus_dirs(args.root)[name]
                if tree_digest(fresh) != tree_digest(have):
                    drift.append(str(have))
        if drift:
            print("out of date (rerun scripts/build_corpora.py): " + ", ".join(drift), file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"corpora are up to date ({time.time() - t0:.1f}s)")
        return 0
    built = build(args.root, args.heldout_seed)
    if not args.quiet:
        print(summary(built, args.root))
        total = sum(size_bytes(p) for p in corpus_dirs(args.root).values()) / 1e6
        n = sum(len(g) for g in built.values())
        print(f"{n} packages, {total:.2f} MB of files, {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
