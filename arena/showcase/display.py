"""The showcase's progress display (stage rows, ETAs); see :class:`Display`."""

from __future__ import annotations

import contextlib
import sys
import threading
import time

#: critical-path stages whose remaining time is extrapolated from their own progress (the others
#: overlap them on the background thread)
OWN_PACE = ("train", "notebooks")
#: wall seconds each stage adds to the critical path on 2 idle cores (validation and most of the
#: evaluation run in the background while models train); the display's overall ETA
EXPECTED_SECONDS = {
    "default": {"corpora": 1, "train": 420, "learnability": 5, "eval": 10, "report": 10, "notebooks": 25},
    "quick": {"corpora": 1, "train": 50, "learnability": 2, "eval": 5, "report": 5, "notebooks": 25},
}


class Display:
    """Stage progress: a rich live display on a terminal, plain lines otherwise (logs, CI).

    Each stage shows done/total, elapsed time and its ETA (from its own pace); the top row is the
    whole showcase, whose ETA is the expected time of the stages still on the critical path
    (``EXPECTED_SECONDS``), scaled by how the finished ones compared with their expectation.
    Plain lines: one per step for small stages (runs), at most one per ``every`` seconds for large
    ones (trials).  Thread-safe: the background thread reports too."""

    def __init__(
        self, enabled: bool, expected: dict[str, float], *, rich: bool | None = None, every: float = 5.0
    ):
        self.enabled = enabled
        self.expected = dict(expected)
        self.every = every
        self.lock = threading.RLock()
        self.t0 = time.perf_counter()
        self.rows: dict[str, dict] = {}
        self.progress = None
        if enabled and (sys.stderr.isatty() if rich is None else rich):
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("[bold]{task.description:<13}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[note]}"),
                console=Console(stderr=True), refresh_per_second=4,
            )  # fmt: skip
            self.overall = self.progress.add_task("showcase", total=len(expected), note="")
            self.progress.start()

    def eta_total(self) -> float:
        """Seconds left on the critical path, scaled by the pace of the finished stages."""
        now = time.perf_counter()
        fin = [
            (n, r)
            for n, r in self.rows.items()
            if r["end"] is not None and n in OWN_PACE and n in self.expected
        ]
        exp_done = sum(self.expected[n] for n, _ in fin)
        pace = sum(r["end"] - r["start"] for _, r in fin) / exp_done if exp_done else 1.0
        left = 0.0
        for n, exp in self.expected.items():
            r = self.rows.get(n)
            if r is None:
                left += exp * pace
            elif r["end"] is None:
                el = now - r["start"]
                if n in OWN_PACE and 0 < r["done"] < r["total"]:  # a sequential stage under way: its own pace
                    left += el / r["done"] * (r["total"] - r["done"])
                else:
                    left += max(exp * pace - el, 0.0)
        return left

    def start(self, stage: str, total: int, note: str = "") -> None:
        with self.lock:
            self.rows[stage] = {
                "start": time.perf_counter(),
                "end": None,
                "done": 0,
                "total": total,
                "printed": 0.0,
            }
            if self.progress is not None:
                self.rows[stage]["task"] = self.progress.add_task(stage, total=max(total, 1), note=note)
            elif self.enabled:
                self._line(stage, note or "started")

    def advance(self, stage: str, note: str = "", n: int = 1) -> None:
        with self.lock:
            row = self.rows[stage]
            row["done"] += n
            if self.progress is not None:
                self.progress.update(row["task"], advance=n, note=note)
                self.progress.update(self.overall, note=f"~{self.eta_total():.0f}s left")
            elif self.enabled:
                small = row["total"] <= 30
                if small or row["done"] >= row["total"] or time.perf_counter() - row["printed"] >= self.every:
                    self._line(stage, note if small else "")

    def finish(self, stage: str, note: str = "") -> None:
        with self.lock:
            row = self.rows.get(stage) or {
                "start": time.perf_counter(),
                "done": 0,
                "total": 0,
                "printed": 0.0,
            }
            self.rows[stage] = row
            row["end"] = time.perf_counter()
            if self.progress is not None:
                if "task" in row:
                    self.progress.update(row["task"], completed=max(row["total"], 1), note=note or "done")
                ended = sum(
                    1 for n, r in self.rows.items() if r.get("end") is not None and n in self.expected
                )
                self.progress.update(self.overall, completed=ended, note=f"~{self.eta_total():.0f}s left")
            elif self.enabled:
                self._line(stage, f"done in {row['end'] - row['start']:.1f}s" + (f": {note}" if note else ""))

    def _line(self, stage: str, note: str) -> None:
        row = self.rows[stage]
        now = time.perf_counter()
        row["printed"] = now
        el = now - row["start"]
        eta = ""
        if row["end"] is None and 0 < row["done"] < row["total"]:
            eta = f", ETA {el / row['done'] * (row['total'] - row['done']):.0f}s"
        count = f" {row['done']}/{row['total']}" if row["total"] and row["end"] is None else ""
        tail = f" | showcase {now - self.t0:.0f}s, ~{self.eta_total():.0f}s left"
        print(f"[showcase] {stage:<12}{count} {note} ({el:.1f}s{eta}){tail}", file=sys.stderr, flush=True)

    def say(self, msg: str) -> None:
        if not self.enabled:
            return
        if self.progress is not None:
            self.progress.console.print(f"[showcase] {msg}", markup=False, highlight=False)
        else:
            print(f"[showcase] {msg}", file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def paused(self):
        """Stop redrawing while something else owns the terminal's stderr."""
        if self.progress is None:
            yield
            return
        self.progress.stop()
        try:
            yield
        finally:
            self.progress.start()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
