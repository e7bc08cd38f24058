"""Leaderboard records: one JSON line per scored team run, appended atomically, and a static page.

``arena score … --record RECORDS.jsonl`` appends one record per team (see :func:`make_records`).
Appending takes an exclusive lock on the file, first cuts a torn last line (a writer killed
mid-line) and reports it, then writes the whole lines with one ``write`` on an ``O_APPEND``
descriptor and fsyncs — a reader never sees half a record from this writer.  :func:`read_records`
skips (and names) a torn last line or any unparsable line; ``repair=True`` truncates the torn tail.

:func:`render_leaderboard` writes ``index.html``: the latest record per team on the newest board
(same baseline, suite digest and metric, so the numbers are comparable), ranked with CI-aware tie
groups (:func:`arena.stats.tie_groups`: overlapping intervals share a group and a rank ``2=``),
sortable and filterable in the page; every record is listed below it.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from arena.runfolder import json_lines

SCHEMA = 1


@dataclass
class ReadResult:
    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # torn or unparsable lines, named
    repaired: bool = False


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _iso(ts) -> str | None:
    try:
        ts = float(ts)
    except (TypeError, ValueError):
        return None
    if not ts or ts != ts:
        return None
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _run_times(trials) -> tuple[str | None, str | None]:
    """(first trial start, last trial end) of a run's table, ISO UTC, when it recorded them."""
    if "started_at" not in trials or not len(trials):
        return None, None
    start = trials["started_at"].astype(float)
    end = start + (trials["total_sec"].astype(float).fillna(0) if "total_sec" in trials else 0)
    return _iso(start[start > 0].min()), _iso(end[start > 0].max())


def make_records(doc: dict, cmp) -> list[dict]:
    """One record per team of an ``arena score`` document (``arena.cli.score.document``)."""
    scored_at = now_iso()
    runs = {r.name: r for r in cmp.teams}
    out = []
    for team, t in doc["teams"].items():
        run = runs.get(team)
        trials = run.trials if run is not None else None
        ids = (
            sorted(set(trials["run_id"].dropna().astype(str)) - {""})
            if trials is not None and "run_id" in trials
            else []
        )
        started, finished = _run_times(trials) if trials is not None else (None, None)
        meta = run.meta if run is not None else {}
        mine = [w for w in doc.get("warnings") or [] if w.startswith(team)]
        status = "unranked" if t["rank"] is None else ("warning" if mine else "ok")
        out.append({
            "schema": SCHEMA, "team": team, "run_id": ids[0] if len(ids) == 1 else Path(t["path"]).name,
            "run_path": t["path"], "status": status, "delta": t["delta"], "ci": t["ci"], "rank": t["rank"],
            "rank_label": t["rank_label"], "tie_group": t["tie_group"], "mde": t["mde"], "n_tasks": t["n_tasks"],
            "per_domain": {d: {"delta": c["delta"], "ci": c["ci"]} for d, c in t["per_domain"].items()},
            "metric": doc["metric"], "confidence": doc["confidence"], "baseline": doc["baseline"],
            "rule": doc.get("rule", "gain-share"), "cap": doc.get("cap"), "interval": doc.get("interval_shown"),
            "suite_digest": doc["suite"]["digest"], "recipe_digest": meta.get("recipe_digest"),
            "corpus_digest": meta.get("corpus_digest"), "run_started_at": started, "run_finished_at": finished,
            "scored_at": scored_at, "warnings": mine,
        })  # fmt: skip
    return out


@contextmanager
def _locked(path: Path):
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _cut_torn_tail(fd: int) -> int:
    """Truncate an unterminated last line; returns how many bytes were cut."""
    size = os.fstat(fd).st_size
    if size == 0:
        return 0
    os.lseek(fd, max(0, size - 1), os.SEEK_SET)
    if os.read(fd, 1) == b"\n":
        return 0
    pos, chunk = size, 1 << 16
    while pos > 0:  # find the last newline
        start = max(0, pos - chunk)
        os.lseek(fd, start, os.SEEK_SET)
        i = os.read(fd, pos - start).rfind(b"\n")
        if i >= 0:
            keep = start + i + 1
            break
        pos = start
    else:
        keep = 0
    os.ftruncate(fd, keep)
    os.fsync(fd)
    return size - keep


def append_records(path: str | Path, records: list[dict]) -> list[str]:
    """Append whole lines, fsynced, under a lock; returns the repairs made first (torn tail)."""
    data = "".join(json.dumps(r, ensure_ascii=False, allow_nan=False, sort_keys=True) + "\n" for r in records)
    notes = []
    with _locked(Path(path)) as fd:
        cut = _cut_torn_tail(fd)
        if cut:
            notes.append(f"{path}: cut a torn last line ({cut} bytes) before appending")
        view = memoryview(data.encode("utf-8"))
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    return notes


def read_records(path: str | Path, *, repair: bool = False) -> ReadResult:
    """Every complete record; a torn last line and unparsable lines are named in ``problems``."""
    path = Path(path)
    res = ReadResult()
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    for i, ok, rec in json_lines(lines):
        if not ok:
            res.problems.append(f"{path}:{i}: not a JSON record, skipped")
            continue
        if isinstance(rec, dict) and "team" in rec:
            res.records.append(rec)
        else:
            res.problems.append(f"{path}:{i}: not a leaderboard record (no team), skipped")
    if tail.strip():
        res.problems.append(f"{path}:{len(lines) + 1}: torn last line ({len(tail)} bytes, no newline): "
                            f"a writer stopped mid-record; ignored" + (", cut" if repair else " (--repair cuts it)"))  # fmt: skip
        if repair:
            with _locked(path) as fd:
                _cut_torn_tail(fd)
            res.repaired = True
    return res


# -- the page ---------------------------------------------------------------------------------------


def board(records: list[dict]) -> tuple[list[dict], dict]:
    """(rows of the newest board, its key): the latest record per team among the records sharing
    the newest record's baseline, suite digest and metric; rank and tie group recomputed from the CIs."""
    import numpy as np

    from arena.stats import tie_groups

    if not records:
        return [], {}
    newest = max(records, key=lambda r: r.get("scored_at") or "")
    key = {k: newest.get(k) for k in ("baseline", "suite_digest", "metric")}
    latest: dict[str, dict] = {}
    for r in records:
        if all(r.get(k) == v for k, v in key.items()):
            if r["team"] not in latest or (r.get("scored_at") or "") >= (
                latest[r["team"]].get("scored_at") or ""
            ):
                latest[r["team"]] = r
    rows = [dict(r) for r in latest.values()]
    lo = np.array([np.nan if r["ci"][0] is None else r["ci"][0] for r in rows], float)
    hi = np.array([np.nan if r["ci"][1] is None else r["ci"][1] for r in rows], float)
    groups = tie_groups(lo, hi)
    sizes = {g: int((groups == g).sum()) for g in set(groups.tolist()) if g}
    for r, g in zip(rows, groups.tolist()):
        better = sum(n for h, n in sizes.items() if h < g)
        r["tie_group"] = g
        r["rank"] = better + 1 if g else None
        r["rank_label"] = "–" if not g else f"{better + 1}{'=' if sizes[g] > 1 else ''}"
    rows.sort(key=lambda r: (r["tie_group"] == 0, r["tie_group"], -(r["delta"] or 0), r["team"]))
    return rows, key


def _pp(v) -> str:
    return "n/a" if v is None else f"{v * 100:+.1f}"


def rule_sentence(rows: list[dict]) -> str:
    """How the shown records turn domain Δs into the overall Δ and which interval they show."""
    rules = sorted({(r.get("rule") or "gain-share", r.get("cap")) for r in rows}, key=str)
    intervals = sorted({r.get("interval") for r in rows if r.get("interval")})
    parts = []
    for rule, cap in rules:
        if cap is None:
            parts.append(f"{rule} rule, no cap")
        elif rule == "organizers":
            parts.append(f"the organizers' rule (domain weights = task shares water-filled to ≤ {cap:.0%})")
        else:
            parts.append(f"arena's gain-share cap (no domain carries more than {cap:.0%} of the Δ; not the "
                         "competition's rule)")  # fmt: skip
    text = "Overall Δ: " + "; ".join(parts) + "."
    if len(rules) > 1:
        text += " Records scored under different rules are not comparable."
    if intervals:
        text += " CI: " + "; ".join(intervals) + "."
    return text


def render_leaderboard(records: list[dict], out_dir: str | Path, *, title: str = "PostTrain Arena leaderboard",
                       problems: list[str] | None = None) -> Path:  # fmt: skip
    from arena.domains import DOMAIN_IDS
    from arena.webpage import esc, search, select, td, write_page

    rows, key = board(records)
    doms = [d for d in DOMAIN_IDS if any(d in r.get("per_domain", {}) for r in rows)]
    unit = "pp" if key.get("metric") == "pass" else "×100"
    head = [
        "rank",
        "team",
        f"Δ {unit}",
        "CI",
        "tie group",
        *doms,
        "status",
        "run",
        "recipe",
        "corpus",
        "scored at",
    ]
    keys = [
        "rank",
        "team",
        "delta",
        "ci_low",
        "tie_group",
        *doms,
        "status",
        "run_id",
        "recipe",
        "corpus",
        "scored_at",
    ]
    ths = "".join(f'<th data-key="{k}">{esc(h)}</th>' for k, h in zip(keys, head))
    trs = []
    for r in rows:
        lo, hi = r["ci"]
        sig = "pos" if lo is not None and lo > 0 else "neg" if hi is not None and hi < 0 else ""
        cells = [td("rank", r["rank_label"], sort=r["rank"] if r["rank"] is not None else 10**6),
                 td("team", r["team"]), td("delta", _pp(r["delta"]), sort=r["delta"], cls=f"num {sig}"),
                 td("ci_low", f"[{_pp(lo)}, {_pp(hi)}]", sort=lo, cls="num"),
                 td("tie_group", r["tie_group"] or "–", sort=r["tie_group"], cls="num")]  # fmt: skip
        for d in doms:
            c = r.get("per_domain", {}).get(d) or {}
            cells.append(td(d, _pp(c.get("delta")), sort=c.get("delta"), cls="num"))
        cells += [td("status", r["status"], cls="ok" if r["status"] == "ok" else "warn"), td("run_id", r["run_id"]),
                  td("recipe", (r.get("recipe_digest") or "")[:12], raw=False),
                  td("corpus", (r.get("corpus_digest") or "")[:12]), td("scored_at", r.get("scored_at"))]  # fmt: skip
        band = "g-odd" if r["tie_group"] % 2 else "g-even"
        trs.append(f'<tr class="{band}" data-team="{esc(r["team"])}">{"".join(cells)}</tr>')
    conf = f"{rows[0]['confidence']:.0%}" if rows else "95%"
    older = len(records) - len(rows)
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">Δ {"pass rate" if key.get("metric") == "pass" else "mean reward"} over the baseline '
        f"<b>{esc(key.get('baseline'))}</b> on suite <code>{esc((key.get('suite_digest') or '')[:12])}</code>; "
        f"{len(rows)} team(s), latest record each; {older} other record(s) listed below.</p>",
        f'<p class="sub">Rows sharing a tie group (same shading, rank like <b>2=</b>) have overlapping {conf} '
        "confidence intervals: their order is not significant. Click a header to sort.</p>",
        f'<p class="sub">{esc(rule_sentence(rows))}</p>',
        '<div class="controls">', search("team", "team"), select("status", "status", sorted({r["status"] for r in rows})),
        'shown: <b id="shown"></b></div>',
        f'<table class="sortable" id="board"><thead><tr>{ths}</tr></thead><tbody>{"".join(trs)}</tbody></table>',
    ]  # fmt: skip
    if problems:
        body += [
            "<h2>Problems reading the records</h2><ul>",
            *[f"<li>{esc(p)}</li>" for p in problems],
            "</ul>",
        ]
    body += ["<details><summary>all records</summary><table><thead><tr><th>scored at</th><th>team</th><th>run</th>"
             "<th>Δ</th><th>CI</th><th>baseline</th><th>suite</th><th>status</th></tr></thead><tbody>"]  # fmt: skip
    for r in sorted(records, key=lambda r: r.get("scored_at") or "", reverse=True):
        body.append(f"<tr><td>{esc(r.get('scored_at'))}</td><td>{esc(r['team'])}</td><td>{esc(r.get('run_id'))}</td>"
                    f"<td>{_pp(r.get('delta'))}</td><td>[{_pp((r.get('ci') or [None, None])[0])}, "
                    f"{_pp((r.get('ci') or [None, None])[1])}]</td><td>{esc(r.get('baseline'))}</td>"
                    f"<td><code>{esc((r.get('suite_digest') or '')[:12])}</code></td><td>{esc(r.get('status'))}</td></tr>")  # fmt: skip
    body.append("</tbody></table></details>")
    out = Path(out_dir) / "index.html"
    write_page(out, title, "\n".join(body))
    return out
