"""The run folder's writer (:class:`RunStore`): the fsynced journal, the atomically rewritten parquet,
the writer's lock, resuming (finished keys, torn lines repaired) and forgetting trials to rerun."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from arena.runfolder.rows import COLUMNS, TrialResult, json_lines

TRIALS = "trials.parquet"
JOURNAL = "trials.jsonl"


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
