"""Reading a run folder for scoring, read-only: parquet merged with the journal, columns checked,
domains mapped to canonical ids; the errors a caller can show as they are."""

from __future__ import annotations

from pathlib import Path

from arena import domains as _domains
from arena.runfolder.rows import json_lines
from arena.runfolder.store import JOURNAL, TRIALS, _pd

REQUIRED = ("task_id", "domain", "reward", "status")


class RunError(ValueError):
    """Runs that cannot be scored together (different suites, no usable trials...)."""


class RunPathError(RunError):
    """An argument that does not name a run folder (a usage error)."""


def _read_journal(path: Path, notes: list[str]) -> list[dict]:
    rows = []
    for i, ok, row in json_lines(path.read_bytes().split(b"\n")):
        if ok:
            rows.append(row)
        else:
            notes.append(f"{path.name} line {i} is torn (the run was killed mid-write); skipped")
    return rows


def _key(df):
    if "trial_key" in df and df["trial_key"].notna().all():
        return df["trial_key"].astype(str)
    return df["task_id"].astype(str) + "/" + df["agent"].astype(str) + "/" + df["sample"].astype(str)


def read_run_trials(folder: str | Path):
    """The trials of a run folder, read-only: (table, notes).  Domains are mapped to canonical
    ids (aliases such as ``natural-science`` accepted; unknown labels are kept as they are)."""
    pd = _pd()
    folder = Path(folder)
    pq, jl = folder / TRIALS, folder / JOURNAL
    if not folder.is_dir():
        raise RunPathError(f"{folder}: no such folder (give a run folder holding {TRIALS})")
    if not pq.is_file() and not jl.is_file():
        raise RunPathError(
            f"{folder}: not a run folder (no {TRIALS} in it); point at the folder `arena run` wrote"
        )
    notes: list[str] = []
    frames = []
    if pq.is_file():
        try:
            frames.append(pd.read_parquet(pq))
        except Exception as exc:  # noqa: BLE001 - any reader error means the same thing to the user
            raise RunError(
                f"{pq}: unreadable ({type(exc).__name__}: {exc}); copy it again from where it was produced"
            ) from exc
    if jl.is_file():
        rows = _read_journal(jl, notes)
        if rows:
            frames.append(pd.DataFrame(rows))
            if len(frames) == 1:
                notes.append(f"no {TRIALS}: read the journal {JOURNAL} (an unflushed run)")
    if not frames:
        raise RunError(f"{folder}: {TRIALS} missing and {JOURNAL} empty: the run recorded no trial")
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    missing = [c for c in REQUIRED if c not in df]
    if missing:
        raise RunError(f"{folder}: trials lack column(s) {missing}; a run folder's trials need "
                       f"{list(REQUIRED)} (+ agent, sample, task_digest)")  # fmt: skip
    df = df.copy()
    if "agent" not in df:
        df["agent"] = "model"
    if "sample" not in df:
        df["sample"] = df.groupby(["task_id", "agent"]).cumcount()
    df["reward"] = pd.to_numeric(df["reward"], errors="coerce").astype("float64")
    df["_key"] = _key(df)
    df = df.drop_duplicates("_key", keep="last").drop(columns="_key")  # the journal is newer than the parquet
    canon = {lab: (d.id if (d := _domains.resolve(lab)) else lab) for lab in df["domain"].dropna().unique()}
    df["domain"] = df["domain"].map(canon)
    sort = [c for c in ("task_id", "agent", "sample") if c in df]
    return df.sort_values(sort, kind="stable").reset_index(drop=True), notes
