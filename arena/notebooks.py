"""The one seam to papermill and nbconvert.

Notebooks live in ``notebooks/NN_name.ipynb``; each has one cell tagged ``parameters``.  Inside a
notebook, ``record(key, value)`` publishes a result (a JSON value) as a display output with the
mimetype ``application/vnd.arena.record+json``; after execution ``run_notebook`` collects every
record into ``metadata["arena"]["records"]`` of the executed notebook, so tests and later
notebooks read results, not pixels.  A failing cell raises ``NotebookError`` naming the cell
and its error.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

RECORD_MIME = "application/vnd.arena.record+json"
REPO = Path(__file__).resolve().parent.parent


class NotebookError(RuntimeError):
    pass


def notebooks_dir() -> Path:
    env = os.environ.get("ARENA_NOTEBOOKS")
    return Path(env) if env else REPO / "notebooks"


def _clean(value):
    """JSON-safe copy: numpy scalars/arrays to Python, NaN/inf to None, DataFrames to records."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return [_clean(r) for r in value.to_dict("records")]
    if hasattr(value, "tolist"):
        return _clean(value.tolist())
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def record(key: str, value) -> None:
    """Publish one named result from inside a running notebook."""
    from IPython.display import display

    payload = {key: _clean(value)}
    text = json.dumps(payload[key], default=str)
    display({RECORD_MIME: payload, "text/plain": f"{key} = {text[:300]}"}, raw=True)


@dataclass
class NotebookInfo:
    name: str
    path: Path
    title: str
    parameters: dict = field(default_factory=dict)  # name -> {default, type}


def list_notebooks() -> list[NotebookInfo]:
    import nbformat

    out = []
    for p in sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        title = next((c.source.strip().splitlines()[0].lstrip("# ") for c in nb.cells
                      if c.cell_type == "markdown" and c.source.strip()), p.stem)  # fmt: skip
        params = {}
        try:
            import papermill

            for k, v in papermill.inspect_notebook(str(p)).items():
                params[k] = {"default": v.get("default"), "type": v.get("inferred_type_name"), "help": v.get("help")}
        except Exception:  # noqa: BLE001 - listing must not fail on one odd notebook
            pass
        out.append(NotebookInfo(p.stem, p, title, params))
    return out


def resolve(name: str) -> Path:
    """A notebook by file stem (``01_validate``), short name (``validate``) or number (``1``)."""
    cands = list_notebooks()
    for nb in cands:
        short = nb.name.split("_", 1)[1] if "_" in nb.name else nb.name
        if name in (nb.name, short, nb.name[:2], nb.name[:2].lstrip("0")) or Path(name) == nb.path:
            return nb.path
    if Path(name).is_file():
        return Path(name)
    raise NotebookError(f"no notebook {name!r}; available: {', '.join(nb.name for nb in cands) or 'none'}")


def collect_records(nb) -> dict:
    recs: dict = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if RECORD_MIME in data:
                recs.update(data[RECORD_MIME])
    return recs


@dataclass
class NotebookRun:
    notebook: Path
    html: Path | None
    records: dict
    seconds: float


def run_notebook(
    name: str, parameters: dict | None = None, *, out_dir: str | Path, html: bool = True, kernel: str | None = None,
    progress: bool = False, cwd: str | Path | None = None,
) -> NotebookRun:  # fmt: skip
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    src = resolve(name)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / src.name
    t0 = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(src), str(out), parameters=parameters or {}, kernel_name=kernel, progress_bar=progress,
            cwd=str(cwd or REPO), log_output=False,
        )  # fmt: skip
    except PapermillExecutionError as exc:
        raise NotebookError(
            f"{src.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue} (executed copy: {out})"
        ) from exc
    nb = nbformat.read(out, as_version=4)
    recs = collect_records(nb)
    nb.metadata.setdefault("arena", {})["records"] = recs
    nb.metadata["arena"]["parameters"] = _clean(parameters or {})
    nbformat.write(nb, out)
    html_path = None
    if html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        html_path = out.with_suffix(".html")
        html_path.write_text(body, encoding="utf-8")
    return NotebookRun(out, html_path, recs, time.perf_counter() - t0)


def read_records(path: str | Path) -> dict:
    """Records of an executed notebook (from its metadata, else from its outputs)."""
    import nbformat

    nb = nbformat.read(Path(path), as_version=4)
    return nb.metadata.get("arena", {}).get("records") or collect_records(nb)
