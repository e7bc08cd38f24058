"""A static, searchable catalog of corpora: ``index.html`` (one sortable, filterable row per task)
and one page per task with its prompt rendered as HTML.

Columns: corpus, id, domain, difficulty, tags, family, static check (``arena check``), and when
given: validation (a validate run folder: the oracle passes every run and the empty agent fails,
or a ``validate.json``), learnability (a run folder of sampled trials or a table with
``task_id, value``: the pass rate and whether it lies inside the band) and contamination flags (a
table as ``arena report`` writes ``tables/contamination.csv``: ``task_id, flagged, reason``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from arena.webpage import esc

# -- a small Markdown subset for prompts (everything escaped first; no raw HTML passes) ---------------


def _inline(text: str) -> str:
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for p in parts:
        if len(p) > 1 and p.startswith("`") and p.endswith("`"):
            out.append(f"<code>{esc(p[1:-1])}</code>")
        else:
            s = esc(p)
            s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
            s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", s)
            out.append(s)
    return "".join(out)


def markdown(text: str) -> str:
    """Headings, paragraphs, bullet and numbered lists, fenced code and inline code/bold/italic."""
    out: list[str] = []
    para: list[str] = []
    lst: tuple[str, list[str]] | None = None
    lines = text.replace("\r\n", "\n").split("\n")

    def flush() -> None:
        nonlocal lst
        if para:
            out.append("<p>" + _inline(" ".join(para)) + "</p>")
            para.clear()
        if lst:
            tag, items = lst
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{tag}>")
            lst = None

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^\s*(```|~~~)", line)
        if fence:
            flush()
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence.group(1)):
                j += 1
            out.append("<pre><code>" + esc("\n".join(lines[i + 1 : j])) + "</code></pre>")
            i = j + 1
            continue
        h = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        item = re.match(r"^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$", line)
        if h:
            flush()
            n = min(len(h.group(1)) + 1, 6)  # the page's own title is h1
            out.append(f"<h{n}>{_inline(h.group(2))}</h{n}>")
        elif item:
            tag = "ul" if item.group(1) else "ol"
            if para or (lst and lst[0] != tag):
                flush()
            lst = lst or (tag, [])
            lst[1].append(item.group(3))
        elif not line.strip():
            flush()
        elif lst and line.startswith((" ", "\t")):
            lst[1][-1] += " " + line.strip()
        else:
            if lst:
                flush()
            para.append(line.strip())
        i += 1
    flush()
    return "\n".join(out)


# -- inputs ----------------------------------------------------------------------------------------


def read_table(path: str | Path):
    """A CSV, parquet or JSON (records) table."""
    import pandas as pd

    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".json":
        return pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    return pd.read_csv(path)


def validation_status(path: str | Path) -> dict[str, str]:
    """task_id -> "passed" / "failed: why" from a validate run folder (trials.parquet) or a
    validate.json (``arena validate --json`` output, or ``validate/validate.json`` of a results folder)."""
    path = Path(path)
    doc = path if path.suffix == ".json" else path / "validate.json"
    if doc.is_file():
        rows = json.loads(doc.read_text(encoding="utf-8")).get("tasks", [])
        return {
            r["task_id"]: "passed" if r.get("passed") else f"failed: {r.get('skipped') or 'ladder'}"
            for r in rows
        }
    from arena.runfolder import read_trials

    t = read_trials(path)
    out = {}
    for tid, g in t.groupby("task_id"):
        oracle, nop = g[g["agent"] == "oracle"], g[g["agent"] == "nop"]
        ok = int(((oracle["reward"] == 1.0) & (oracle["status"] == "ok")).sum())
        nop_pass = bool((nop["reward"] >= 1.0).any())
        if ok == len(oracle) and len(oracle) and not nop_pass:
            out[str(tid)] = "passed"
        else:
            why = f"oracle {ok}/{len(oracle)}" + ("; nop passes" if nop_pass else "")
            out[str(tid)] = f"failed: {why}"
    return out


def learnability_values(path: str | Path, band: tuple[float, float]) -> dict[str, tuple[float, bool]]:
    """task_id -> (value, inside the band) from a run folder of sampled trials or a table."""
    import math

    path = Path(path)
    if path.is_file() and path.name not in ("trials.parquet", "trials.jsonl"):
        df = read_table(path)
    else:
        from arena.learnability import task_learnability
        from arena.runfolder import read_trials

        df = task_learnability(read_trials(path.parent if path.is_file() else path), band=band)
    out = {}
    for tid, v in zip(df["task_id"], df["value"]):
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            out[str(tid)] = (float(v), band[0] < float(v) < band[1])
    return out


def contamination_flags(path: str | Path) -> dict[str, str]:
    """task_id -> reason, for the flagged rows of a contamination report table."""
    df = read_table(path)
    df = df[df["flagged"].astype(bool)] if "flagged" in df else df
    return {
        str(t): str(r if isinstance(r, str) else "flagged")
        for t, r in zip(df["task_id"], df.get("reason", [""] * len(df)))
    }


# -- the pages ---------------------------------------------------------------------------------------


@dataclass
class Entry:
    corpus: str
    task: object  # arena.task.Task
    team: str | None
    errors: int
    warnings: int
    page: str = ""
    extra: dict = field(default_factory=dict)


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", s).strip("-") or "corpus"


def task_page(e: Entry) -> str:
    from arena.webpage import page

    t, md = e.task, e.task.spec.metadata
    facts = [("corpus", e.corpus), ("team", e.team), ("domain", t.domain), ("category", md.category),
             ("difficulty", md.difficulty), ("tags", ", ".join(md.tags)), ("family", md.family),
             ("agent timeout", f"{t.spec.agent.timeout_sec:g} s"), ("verifier timeout", f"{t.spec.verifier.timeout_sec:g} s"),
             ("resources", f"{t.spec.environment.cpus:g} cpu, {t.spec.environment.memory_mb} MB"),
             ("internet", "allowed" if t.spec.environment.allow_internet else "none"),
             ("arena check", f"{e.errors} error(s), {e.warnings} warning(s)"), *e.extra.items(), ("digest", t.digest)]  # fmt: skip
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts if v not in (None, ""))
    body = (f'<p><a href="../../index.html">← catalog</a></p><h1 id="task-id">{esc(t.id)}</h1>'
            f'<table class="facts">{rows}</table><h2>Prompt</h2><div id="prompt">{markdown(t.spec.prompt)}</div>')  # fmt: skip
    return page(t.id, body, script=False)


def collect(paths: list[str | Path]) -> tuple[list[Entry], list[str]]:
    """(an entry per loadable package, the packages whose task.md cannot be read at all)."""
    from arena.corpus import check_paths
    from arena.task import load_task

    entries, unreadable = [], []
    for p in paths:
        name = Path(p).resolve().name
        for r in check_paths([str(p)]).tasks:
            task, _ = load_task(r.path)
            if task is None:
                unreadable.append(r.path)
                continue
            n_err = sum(f.severity == "error" for f in r.findings)
            n_warn = sum(f.severity == "warning" for f in r.findings)
            entries.append(Entry(name, task, r.team, n_err, n_warn))
    return entries, unreadable


def build_catalog(paths: list[str | Path], out: str | Path, *, validate: str | Path | None = None,
                  learnability: str | Path | None = None, band: tuple[float, float] = (0.0, 1.0),
                  contamination: str | Path | None = None, title: str = "Task catalog") -> tuple[Path, int]:  # fmt: skip
    """Write ``out/index.html`` and ``out/tasks/<corpus>/<id>.html``; returns (index, task count)."""
    from arena.webpage import search, select, td, write_page

    out = Path(out)
    entries, unreadable = collect(paths)
    val = validation_status(validate) if validate else None
    learn = learnability_values(learnability, band) if learnability else None
    cont = contamination_flags(contamination) if contamination else None
    head = [("id", "task"), ("corpus", "corpus"), ("domain", "domain"), ("difficulty", "difficulty"),
            ("tags", "tags"), ("family", "family"), ("check", "arena check")]  # fmt: skip
    head += [(k, h) for k, h, on in (("validation", "validation", val), ("learnability", "learnability", learn),
                                     ("contamination", "contamination", cont)) if on is not None]  # fmt: skip
    rows = []
    for e in sorted(entries, key=lambda e: (e.corpus, e.task.domain or "~", e.task.id)):
        t, md = e.task, e.task.spec.metadata
        e.page = f"tasks/{_slug(e.corpus)}/{_slug(t.id)}.html"
        check = "ok" if not e.errors else f"{e.errors} error(s)"
        cells = [td("id", f'<a href="{esc(e.page)}">{esc(t.id)}</a>', sort=t.id, raw=True), td("corpus", e.corpus),
                 td("domain", t.domain or "unknown"), td("difficulty", md.difficulty),
                 td("tags", "".join(f'<span class="tag">{esc(x)}</span>' for x in md.tags), sort=" ".join(md.tags), raw=True),
                 td("family", md.family or ""), td("check", check, cls="ok" if not e.errors else "bad")]  # fmt: skip
        if val is not None:
            v = val.get(t.id, "not validated")
            e.extra["validation"] = v
            cells.append(
                td(
                    "validation",
                    v,
                    sort=v.split(":")[0],
                    cls="ok" if v == "passed" else "bad" if v.startswith("failed") else "muted",
                )
            )
        if learn is not None:
            value, inside = learn.get(t.id, (None, None))
            label = (
                "no samples" if value is None else f"{value:.2f} {'in band' if inside else 'outside band'}"
            )
            e.extra["learnability"] = label
            cells.append(
                td(
                    "learnability",
                    label,
                    sort=value,
                    cls="muted" if value is None else "ok" if inside else "warn",
                )
            )
        if cont is not None:
            c = cont.get(t.id)
            e.extra["contamination"] = c or "clean"
            cells.append(
                td("contamination", c or "clean", sort="flagged" if c else "clean", cls="bad" if c else "ok")
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
        (out / e.page).parent.mkdir(parents=True, exist_ok=True)
        (out / e.page).write_text(task_page(e), encoding="utf-8")
    ths = "".join(f'<th data-key="{k}">{esc(h)}</th>' for k, h in head)
    uniq = lambda f: sorted({f(e) for e in entries})  # noqa: E731
    controls = [search("*", "search", "id, tag, family…"), select("domain", "domain", uniq(lambda e: e.task.domain or "unknown")),
                select("difficulty", "difficulty", uniq(lambda e: e.task.spec.metadata.difficulty)),
                select("corpus", "corpus", uniq(lambda e: e.corpus))]  # fmt: skip
    if val is not None:
        controls.append(select("validation", "validation", ["passed", "failed", "not validated"]))
    if cont is not None:
        controls.append(select("contamination", "contamination", ["clean", "flagged"]))
    sub = f"{len(entries)} task(s) from {', '.join(sorted({e.corpus for e in entries}))}"
    if unreadable:
        sub += f"; not shown, task.md unreadable (see arena check): {', '.join(Path(u).name for u in unreadable)}"
    body = (f'<h1>{esc(title)}</h1><p class="sub">{esc(sub)}. Click a header to sort, a task to read its prompt.</p>'
            f'<div class="controls">{"".join(controls)} shown: <b id="shown"></b></div>'
            f'<table class="sortable" id="catalog"><thead><tr>{ths}</tr></thead><tbody>{"".join(rows)}</tbody></table>')  # fmt: skip
    write_page(out / "index.html", title, body)
    return out / "index.html", len(entries)
