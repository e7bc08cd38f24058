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

Modules: ``status`` (the typed status and failure kind, the counting rule), ``rows`` (a trial as
an object and as a table row), ``suite`` (the suite digest), ``store`` (the writer: journal,
parquet, lock), ``read`` (the read-only reader for scoring).
"""

from arena.runfolder.read import REQUIRED, RunError, RunPathError, read_run_trials
from arena.runfolder.rows import COLUMNS, TrialResult, json_lines, row_to_result, trial_key
from arena.runfolder.status import EXCLUDED_STATUSES, FailureKind, Status, counted, counts
from arena.runfolder.store import JOURNAL, TRIALS, RunStore, RunStoreError, read_trials
from arena.runfolder.suite import suite_digest

__all__ = ["COLUMNS", "EXCLUDED_STATUSES", "JOURNAL", "REQUIRED", "TRIALS", "FailureKind", "RunError", "RunPathError",
           "RunStore", "RunStoreError", "Status", "TrialResult", "counted", "counts", "json_lines", "read_run_trials",
           "read_trials", "row_to_result", "suite_digest", "trial_key"]  # fmt: skip
