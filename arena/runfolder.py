"""Trial results as data, and the run folder every command reads and writes.

``runs/<run-id>/``
  ``trials.parquet``  one row per finished trial (the consolidated table)
  ``trials.jsonl``    append-only journal: one line per finished trial, flushed + fsynced
  ``trials/<task>/<agent>-<sample>/``  per-trial logs

Write (:class:`RunStore`: ``add``, ``flush``, ``forget``), read (:func:`read_run_trials`, read-only,
for scoring; :func:`read_trials`), row ↔ object (:meth:`TrialResult.to_row`, :func:`row_to_result`),
the typed :class:`Status` and :class:`FailureKind` (str enums: the values written are the same
strings), the one counting rule (:func:`counted`, :func:`counts`) and the one digest of a set of
tasks (:func:`suite_digest`).

A killed run loses only the trials in flight: on restart the journal and the parquet are
merged (a torn last line is skipped and reported), finished keys are skipped, and the parquet is
rewritten atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from arena import domains as _domains
from arena.diagnose import VERIFIER_BROKEN

TRIALS = "trials.parquet"
JOURNAL = "trials.jsonl"
REQUIRED = ("task_id", "domain", "reward", "status")


class Status(StrEnum):
    """A trial's status (the ``status`` column)."""

    OK = "ok"
    VERIFIER_ERROR = "verifier_error"  # the verifier could not judge: a task defect, not counted
    INFRA_ERROR = "infra_error"  # the sandbox or the harness failed: not counted, retried
    TIMEOUT = "timeout"  # the agent ran out of time: counted (reward as the verifier gave it, else 0)


#: the statuses whose trials say nothing about the model: excluded from every statistic, never a 0
EXCLUDED_STATUSES = (Status.INFRA_ERROR.value, Status.VERIFIER_ERROR.value)


class FailureKind(StrEnum):
    """Why a trial is not a plain ``ok`` (the ``failure_kind`` column); ``verifier_<diagnosis>``
    names each :data:`arena.diagnose.VERIFIER_BROKEN` diagnosis (see :meth:`verifier_broken`)."""

    BUILD = "build"
    SANDBOX_START = "sandbox_start"
    AGENT_SANDBOX = "agent_sandbox"
    AGENT_CRASH = "agent_crash"
    AGENT_EXIT = "agent_exit"
    AGENT_OOM = "agent_oom"
    AGENT_TIMEOUT = "agent_timeout"
    AGENT_BROKE_VERIFIER = "agent_broke_verifier"  # counted 0: the agent left the sandbox unjudgeable
    VERIFIER_SANDBOX = "verifier_sandbox"
    VERIFIER_TIMEOUT = "verifier_timeout"
    NO_REWARD = "no_reward"
    GROUP_EXEC = "group_exec"
    HARNESS = "harness"
    UNSUPPORTED = "unsupported"  # the task declares what this runtime cannot honour (keep_services on local, a multi-turn key)
    USER_MODEL = "user_model"  # a multi-turn trial's simulated user could not be loaded or answer

    @staticmethod
    def verifier_broken(diagnosis: str) -> str:
        if diagnosis not in VERIFIER_BROKEN:
            raise ValueError(f"{diagnosis!r} is not a verifier-broken diagnosis ({sorted(VERIFIER_BROKEN)})")
        return f"verifier_{diagnosis}"


def counts(status: str, reward: float | None) -> bool:
    """The counting rule: a trial counts when it has a reward and its status is not excluded."""
    return reward is not None and not (isinstance(reward, float) and math.isnan(reward)) and \
        status not in EXCLUDED_STATUSES  # fmt: skip


def counted(trials):
    """Boolean mask of the rows of a trials table that count (:func:`counts`, vectorized; a table
    without a status column counts every row with a reward)."""
    ok = trials["reward"].notna()
    if "status" in trials:
        ok &= ~trials["status"].isin(EXCLUDED_STATUSES)
    return ok


def suite_digest(tasks: Iterable[tuple[str, str]]) -> str:
    """sha256 over the sorted (task_id, task_digest) pairs of a set of tasks: equal digests, same
    suite (run.json's ``suite_digest`` and the score report's suite table use this one)."""
    h = hashlib.sha256()
    for tid, dig in sorted((str(t), str(d)) for t, d in tasks):
        h.update(f"{tid}\0{dig}\n".encode())
    return h.hexdigest()


class RunError(ValueError):
    """Runs that cannot be scored together (different suites, no usable trials...)."""


class RunPathError(RunError):
    """An argument that does not name a run folder (a usage error)."""

COLUMNS = (
    "run_id", "trial_key", "task_id", "task_digest", "domain", "team", "family", "sample", "agent",
    "runtime", "status", "reward", "failure_kind", "reason", "metrics", "side_info", "notes",
    "setup_sec", "agent_sec", "verifier_sec", "total_sec", "started_at", "log_dir",
)  # fmt: skip


def json_lines(lines: Iterable[bytes]) -> Iterator[tuple[int, bool, Any]]:
    """(1-based line number, parsed?, value) for every non-blank line of a JSON-lines file; a line
    that is not JSON (torn by a kill, or corrupt) comes back with parsed False and value None."""
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield i, True, json.loads(line)
        except ValueError:
            yield i, False, None


@dataclass
class TrialResult:
    task_id: str
    agent: str
    sample: int = 0
    run_id: str = ""
    task_digest: str = ""
    domain: str | None = None
    team: str | None = None
    family: str | None = None
    runtime: str = ""
    status: str = Status.OK  # a Status value
    reward: float | None = None
    failure_kind: str | None = None  # a FailureKind value
    reason: str | None = None  # human sentence, from the logs when possible
    metrics: dict = field(default_factory=dict)
    side_info: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    setup_sec: float = 0.0
    agent_sec: float = 0.0
    verifier_sec: float = 0.0
    total_sec: float = 0.0
    started_at: float = 0.0
    log_dir: str = ""

    @property
    def trial_key(self) -> str:
        return trial_key(self.task_id, self.agent, self.sample)

    def to_row(self) -> dict:
        row = asdict(self)
        row["status"] = Status(self.status).value  # a typo'd status fails here, not in the statistics
        row["trial_key"] = self.trial_key
        for k in ("metrics", "side_info", "notes"):
            row[k] = json.dumps(row[k], default=str, sort_keys=True)
        return row


def row_to_result(row: dict) -> TrialResult:
    """The :class:`TrialResult` of a trials-table row (:meth:`TrialResult.to_row` backwards)."""
    kw = {k: row.get(k) for k in TrialResult.__dataclass_fields__}
    for k, v in kw.items():  # an all-null parquet column reads back as float NaN
        if isinstance(v, float) and math.isnan(v) and k != "reward":
            kw[k] = None
    for k in ("metrics", "side_info", "notes"):
        v = kw.get(k)
        kw[k] = json.loads(v) if isinstance(v, str) and v else ({} if k != "notes" else [])
    r = kw.get("reward")
    kw["reward"] = None if r is None or (isinstance(r, float) and math.isnan(r)) else float(r)
    kw["sample"] = int(kw.get("sample") or 0)
    return TrialResult(**{k: v for k, v in kw.items() if v is not None or k == "reward"})


def trial_key(task_id: str, agent: str, sample: int) -> str:
    return f"{task_id}/{agent}/{int(sample)}"


def _pd():
    import pandas as pd

    return pd


class RunStoreError(RuntimeError):
    """The run folder cannot be written (in use by another process, disk full): the message names it."""


#: run folders this process holds the writer's lock of: resolved path -> [fd, number of stores]
_HELD: dict[str, list[int]] = {}
_HELD_LOCK = threading.Lock()


def _acquire(root: Path) -> str:
    key = str(root.resolve())
    with _HELD_LOCK:
        if key in _HELD:
            _HELD[key][1] += 1
            return key
        fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise RunStoreError(f"run folder {root} is in use by another arena process (pid {holder}); wait for it to "
                                "finish, or write to another folder (--out)") from None  # fmt: skip
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _HELD[key] = [fd, 1]
        return key


def _release(key: str) -> None:
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] <= 0:
            os.close(held[0])  # closing the descriptor drops the lock
            del _HELD[key]


class RunStore:
    """One run folder.  Thread-safe ``add``; ``done_keys`` for resuming.

    A store that writes (the default) holds the folder's lock (``.lock``, ``flock``) until
    ``close``: a second process writing the same folder gets a ``RunStoreError`` naming it before
    it runs anything, so no trial is run or recorded twice.  ``writer=False`` only reads.
    """

    def __init__(self, root: str | Path, run_id: str | None = None, *, writer: bool = True):
        self.root = Path(root)
        self._held: str | None = None
        if writer:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RunStoreError(f"cannot create the run folder {self.root}: {exc.strerror}") from exc
            self._held = _acquire(self.root)
        self.run_id = run_id or self.root.name
        self.journal = self.root / "trials.jsonl"
        self.parquet = self.root / "trials.parquet"
        self._lock = threading.Lock()
        self.repaired: list[str] = []
        self._rows: dict[str, dict] = {}
        self.writer = writer
        self._torn_tail = False
        self._load()

    def close(self) -> None:
        """Release the folder's lock (idempotent); the store can still be read."""
        if self._held is not None:
            _release(self._held)
            self._held = None

    def __del__(self):  # pragma: no cover - a safety net; callers close()
        try:
            self.close()
        except Exception:
            pass

    def _load(self) -> None:
        pd = _pd()
        if self.parquet.exists():
            try:
                df = pd.read_parquet(self.parquet)
                for r in df.to_dict("records"):
                    self._rows[r["trial_key"]] = r
            except Exception as exc:  # a corrupt table is reported and rebuilt from the journal
                bad = self.parquet.with_suffix(".parquet.corrupt")
                os.replace(self.parquet, bad)
                self.repaired.append(f"trials.parquet was unreadable ({exc}); moved to {bad.name}")
        if self.journal.exists():
            with open(self.journal, "rb") as fh:
                lines = fh.read().split(b"\n")
            for i, ok, r in json_lines(lines):
                if not ok:
                    self.repaired.append(f"trials.jsonl line {i} was torn (killed mid-write); skipped")
                    continue
                self._rows[r["trial_key"]] = r
            self._torn_tail = bool(lines) and lines[-1] != b""
            if self.repaired and self.writer:
                try:
                    self._rewrite_journal()
                    self._torn_tail = False
                except OSError as exc:  # e.g. the disk is still full: the torn line stays skipped
                    self.journal.with_suffix(".jsonl.tmp").unlink(missing_ok=True)
                    self.repaired.append(f"could not rewrite trials.jsonl ({exc.strerror}); torn lines are skipped")

    def _rewrite_journal(self) -> None:
        tmp = self.journal.with_suffix(".jsonl.tmp")
        with open(tmp, "w") as fh:
            fh.writelines(json.dumps(r, default=str) + "\n" for r in self._rows.values())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.journal)

    def done_keys(self, digests: dict[str, str] | None = None) -> set[str]:
        """Keys of finished trials (a task whose digest changed since is not done)."""
        if not digests:
            return set(self._rows)
        return {k for k, r in self._rows.items() if digests.get(r["task_id"], r.get("task_digest")) == r.get("task_digest")}

    def forget(self, keys: Iterable[str]) -> None:
        """Drop finished trials (e.g. infrastructure errors to retry): they run again."""
        with self._lock:
            for k in keys:
                self._rows.pop(k, None)
            self._rewrite_journal()

    def add(self, result: TrialResult) -> None:
        result.run_id = result.run_id or self.run_id
        row = result.to_row()
        line = json.dumps(row, default=str) + "\n"
        with self._lock:
            if self._torn_tail:  # never glue a record onto a line cut short by a kill or a full disk
                line = "\n" + line
            try:
                with open(self.journal, "a") as fh:
                    fh.write(line)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as exc:
                self._torn_tail = True  # part of the line may have been written
                raise RunStoreError(f"cannot record trial {row['trial_key']} in {self.journal}: {exc.strerror}; "
                                    "free space (or fix the folder) and rerun the same command: finished trials are "
                                    "kept and this one runs again") from exc  # fmt: skip
            self._torn_tail = False
            self._rows[row["trial_key"]] = row

    def flush(self) -> Path:
        """Write the consolidated parquet atomically."""
        pd = _pd()
        with self._lock:
            rows = list(self._rows.values())
        df = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else pd.DataFrame(columns=list(COLUMNS))
        df = df.astype({"reward": "float64", "sample": "int64"})
        tmp = self.parquet.with_suffix(".parquet.tmp")
        try:
            df.to_parquet(tmp, index=False)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.parquet)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise RunStoreError(f"cannot write {self.parquet}: {exc.strerror}; the trials are safe in {self.journal} "
                                "and the table is rebuilt from it on the next run") from exc  # fmt: skip
        return self.parquet

    def frame(self):
        pd = _pd()
        rows = list(self._rows.values())
        return pd.DataFrame(rows, columns=list(COLUMNS)).astype({"reward": "float64"})

    def trial_dir(self, task_id: str, agent: str, sample: int) -> Path:
        return self.trial_dir_of(self.root, task_id, agent, sample)

    @staticmethod
    def trial_dir_of(root: str | Path, task_id: str, agent: str, sample: int) -> Path:
        d = Path(root) / "trials" / task_id / f"{agent}-{sample}"
        d.mkdir(parents=True, exist_ok=True)
        return d


def read_trials(run: str | Path):
    """The trials table of a run folder (parquet, merged with an unflushed journal)."""
    return RunStore(run, writer=False).frame()


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
