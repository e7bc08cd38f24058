"""Stage 2, corpora: the generated single-domain corpora, and which corpus each run trains on
(a team's validated tasks, the held-out suite or its quick sample)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from arena.showcase.plan import HELDOUT, REFERENCE, team_root


def _tasks_by_domain(root: Path) -> dict[str, list[Path]]:
    """Task folders under ``root`` by domain, each list in folder order."""
    from arena.corpus import load_tasks

    tasks, _ = load_tasks([root])
    out: dict[str, list[Path]] = {}
    for t in sorted(tasks, key=lambda t: t.id):
        out.setdefault(t.domain or "unknown", []).append(t.root)
    return out


def sample_per_domain(root: Path, per_domain: int) -> list[Path]:
    """The first ``per_domain`` tasks (by id) of every domain of a corpus."""
    return [p for paths in _tasks_by_domain(root).values() for p in paths[:per_domain]]


def copy_tasks(paths: list[Path], dest: Path) -> None:
    """Copy task folders into ``dest`` (replaced whole, never half-written)."""
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for p in paths:
        shutil.copytree(p, tmp / p.name)
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)


def within(path: str, root: Path) -> bool:
    """Whether ``path`` lies under ``root``."""
    try:
        Path(path).resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def filtered_readme(name: str, sel: dict) -> str:
    lines = [f"# {name}: the validated tasks only", "",
             f"{len(sel['kept'])} of {sel['tasks']} tasks of {sel['root']}: the ones with no error finding in the "
             "showcase's validation (static checks + the oracle / nop ladder).  Organizers train only on "
             "validated tasks; the excluded ones and the rules that excluded them:", ""]  # fmt: skip
    lines += [f"- `{t}`: {', '.join(r)}" for t, r in sorted(sel["excluded"].items())]
    return "\n".join(lines) + "\n"


def run(sc) -> None:
    """The single-domain corpora (corpora/single-<domain>/): ``plan.single_per_family`` instances (split over
    easy, medium, hard) of each of a domain's training families, seeds 700 + 10·seed + difficulty."""
    from arena import families
    from arena.domains import DOMAIN_IDS
    from arena.families.base import write_generated

    t = time.perf_counter()
    root = sc.out / "corpora"
    sc.display.start("corpora", len(DOMAIN_IDS))
    n = sc.plan.single_per_family
    for dom in DOMAIN_IDS:
        dest = root / f"single-{dom}"
        if not (sc.state.done("corpora", dom) and dest.is_dir()):
            gens = []
            for fam in families.names(reserved=False, domain=dom):
                for k, difficulty in enumerate(("easy", "medium", "hard")):
                    count = n // 3 + (1 if k < n % 3 else 0)
                    gens += families.instances(fam, count, seed=700 + 10 * sc.seed + k, difficulty=difficulty,
                                               split="train")  # fmt: skip
            tmp = dest.with_name(dest.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            for g in gens:
                write_generated(g, tmp)
            shutil.rmtree(dest, ignore_errors=True)
            os.replace(tmp, dest)
            sc.state.mark_item("corpora", dom)
        sc.display.advance("corpora", dom)
    sc.state.finish(
        "corpora", single_per_family=n, source="procedural families, train split, seeds 700+"
    )
    sc.display.finish("corpora")
    sc.clock.window("corpora", t, time.perf_counter())


def corpus_of(sc, run: str) -> Path:
    """The corpus a run trains on: its validated tasks (the original folder when nothing was
    excluded, else corpora/<name>/ with the kept tasks), or a generated single-domain corpus."""
    if run.startswith("single-"):
        return sc.out / "corpora" / run
    name = "reference" if run.startswith("baseline") else run
    root = REFERENCE if name == "reference" else team_root(name)
    sel = sc.selection["corpora"][name]
    if not sel["excluded"]:
        return root
    dest = sc.out / "corpora" / name
    if not (dest / ".complete").exists():
        copy_tasks([Path(p) for p in sel["kept"]], dest)
        (dest / "README.md").write_text(filtered_readme(name, sel), encoding="utf-8")
        (dest / ".complete").write_text("")
    return dest


def heldout_suite(sc) -> Path:
    """The held-out suite (quick: a per-domain sample copied to corpora/heldout-quick)."""
    k = sc.plan.heldout_per_domain
    if k is None:
        return HELDOUT
    dest = sc.out / "corpora" / "heldout-quick"
    if not (dest / ".complete").exists():
        copy_tasks(sample_per_domain(HELDOUT, k), dest)
        (dest / ".complete").write_text("")
    return dest
