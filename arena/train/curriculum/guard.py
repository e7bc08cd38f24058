"""The contamination guard: a curriculum sample against the families' training tasks and the held-out
suite (``arena.contamination``); any flagged pair raises ``CurriculumOverlapError``."""

from __future__ import annotations

from pathlib import Path

from arena.train.curriculum.schedule import sample


class CurriculumOverlapError(RuntimeError):
    """The curriculum sample overlaps an arena family's training task or the held-out suite."""


def heldout_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "data" / "heldout" / "tasks"


def _reference_docs(per_family: int = 3, heldout: Path | None = None) -> list[tuple[str, str, str]]:
    from arena import families
    from arena.task import load_task

    docs = []
    for name in families.names(reserved=False):
        for d in ("easy", "medium", "hard"):
            for g in families.instances(name, per_family, seed=0, difficulty=d, split="train"):
                docs.append((f"{g.task_id}-{d}", "families", f"{g.prompt}\n{g.answer}"))
    root = heldout or heldout_dir()
    for task_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        task, _ = load_task(task_dir)
        if task is not None and task.spec is not None:
            docs.append((task.id, "heldout", task.spec.prompt))
    return docs


def guard(n: int = 400, seed: int = 0, *, extra: list[str] = (), heldout: Path | None = None) -> dict:
    """Check ``n`` curriculum examples (plus ``extra`` texts, as if they were curriculum) against
    the families' training tasks and the held-out suite; raise CurriculumOverlapError on any
    flagged pair, else return a summary (documents compared, pairs scored, highest score)."""
    from arena.contamination import overlap_pairs

    ref = _reference_docs(heldout=heldout)
    if not any(src == "heldout" for _, src, _ in ref):
        raise CurriculumOverlapError(f"no held-out suite found under {heldout or heldout_dir()}: cannot check")
    mine = [(f"curriculum-{i:05d}", "curriculum", f"{ex.prompt}\n{ex.answer}") for i, ex in enumerate(sample(n, seed))]
    mine += [(f"curriculum-extra-{i}", "curriculum", t) for i, t in enumerate(extra)]
    pairs = overlap_pairs(mine + ref, heldout="heldout")
    ours = pairs[(pairs["source_a"] == "curriculum") | (pairs["source_b"] == "curriculum")]
    bad = ours[ours["flagged"]]
    if len(bad):
        show = [f"{r.task_id_a} ~ {r.task_id_b} ({r.source_b if r.source_a == 'curriculum' else r.source_a}: "
                f"{r.reason}; ngram13 {r.ngram13:.2f}, ngram8 {r.ngram8:.2f}, jaccard {r.jaccard:.2f})"
                for r in bad.head(5).itertuples()]  # fmt: skip
        raise CurriculumOverlapError(
            f"the curriculum overlaps {len(bad)} arena task(s) (families' training tasks or the held-out suite); "
            "refusing to build: " + "; ".join(show)
        )
    score = ours[["ngram13", "ngram8", "jaccard"]].max(axis=1)
    return {"curriculum_docs": len(mine), "reference_docs": len(ref),
            "heldout_docs": sum(src == "heldout" for _, src, _ in ref), "pairs_scored": int(len(ours)),
            "max_score": round(float(score.max()) if len(score) else 0.0, 4), "flagged": 0}  # fmt: skip
