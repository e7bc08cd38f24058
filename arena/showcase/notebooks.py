"""Stage 6, notebooks: ``notebooks/0[1-6]_*.ipynb`` executed on the showcase's results."""

from __future__ import annotations

import time

from arena.showcase.host import stderr_to
from arena.showcase.plan import NOTEBOOKS, REPO, ShowcaseError


def run(sc) -> None:
    """Execute the notebooks into notebooks/ (a failing one is recorded, never raised)."""
    t = time.perf_counter()
    found = sorted(NOTEBOOKS.glob("0[1-6]_*.ipynb")) if NOTEBOOKS.is_dir() else []
    if not sc.run_notebooks:
        sc.display.start("notebooks", 0)
        sc.state.finish("notebooks", ran=[], note="skipped: notebooks=False")
        sc.display.finish("notebooks", "skipped")
        return
    if not found:
        sc.display.start("notebooks", 0)
        note = f"skipped: {NOTEBOOKS} holds no 01…06 notebooks yet"
        sc.state.finish("notebooks", ran=[], note=note)
        sc.display.finish("notebooks", note)
        return
    try:
        from arena.notebooks import run_notebook
    except ImportError as exc:  # pragma: no cover - arena.notebooks ships with arena
        raise ShowcaseError(f"cannot run notebooks: {exc}") from None
    sc.display.start("notebooks", len(found))
    ran, failed = [], []
    for nb in found:
        if sc.state.done("notebooks", nb.stem) and (sc.out / "notebooks" / nb.name).exists():
            sc.display.advance("notebooks", f"{nb.stem} (resumed)")
            continue
        try:
            (sc.out / "notebooks").mkdir(parents=True, exist_ok=True)
            with sc.display.paused(), stderr_to(sc.out / "notebooks" / "kernels.log"):
                r = run_notebook(str(nb), notebook_parameters(sc, nb.stem), out_dir=sc.out / "notebooks",
                                 html=True, cwd=REPO)  # fmt: skip
            ran.append(
                {"notebook": nb.stem, "seconds": round(r.seconds, 1), "records": sorted(r.records)}
            )
            sc.state.mark_item("notebooks", nb.stem)
        except Exception as exc:  # noqa: BLE001 - a failing notebook is reported, the summary still written
            failed.append({"notebook": nb.stem, "error": str(exc)[:2000]})
        sc.display.advance("notebooks", nb.stem)
    sc.state.finish("notebooks", ran=ran, failed=failed)
    sc.display.finish("notebooks", f"{len(ran)} ran, {len(failed)} failed")
    sc.clock.window("notebooks", t, time.perf_counter())


def notebook_parameters(sc, stem: str) -> dict:
    """The results folder for every notebook; notebook 03 (training) gets the showcase's own
    training run instead (the baseline: its recipe, loss curves and model card)."""
    if stem.startswith("03_"):
        run = (sc.out / "train" / "baseline").resolve()
        return {"results": str(run), "recipe": str(run / "recipe.json")}
    return {"results": str(sc.out.resolve())}
