"""Statistics of the evaluation: pass@k, pass rates, a team's Δ over the reference with a paired
domain-stratified bootstrap CI, the minimum detectable effect, and the leaderboard.

Counting rules (every function here applies them):

* a trial *counts* when its reward is not null and its status is not ``infra_error`` /
  ``verifier_error``: those trials say nothing about the model, so they are excluded, never
  scored 0.  A ``timeout`` keeps its reward (the agent ran out of time: a genuine failure).
* a trial *passes* when ``reward >= threshold`` (default 1.0: only full credit passes).
* metric ``"pass"`` scores a task by its pass rate c/n over its counted samples, ``"reward"`` by
  its mean reward (partial credit).  Every task weighs the same inside its domain.

A team's score is Δ = team − reference on the same held-out tasks.  Two rules turn the per-domain
Δs into one overall Δ (``rule=``):

* ``"organizers"`` (the default: the competition's published rule, :mod:`arena.scoring`) — each
  domain weighs its share of the paired tasks, water-filled so that no weight exceeds ``cap``
  (0.2); the interval is their percentile bootstrap over paired tasks (not stratified) on their
  own random stream, computed by the vectorized engine (``engine="fast"``, the default) or by the
  plain-Python replay (``engine="organizers"``, the reference): both give their interval exactly
  (up to floating-point summation order).
* ``"gain-share"`` (arena's earlier rule, kept as a named alternative) — the mean over domains of
  the per-domain Δ (``weighting="domain"``: each domain 1/D; ``"task"``: by paired tasks), and when
  the total is positive each domain's *contribution* is clipped to ``cap`` × the total; the
  interval is a domain-stratified percentile bootstrap (:func:`paired_bootstrap`).

``interval="clustered"`` replaces the bootstrap interval by Δ ± z·SE with a task-clustered paired
standard error (:func:`clustered_se`), the right one for K > 1 samples per task.  Every table says
which interval it shows in its ``interval`` column.

Modules: ``tables`` (pass@k, the task and domain tables, per-task values of several runs),
``bootstrap`` (the paired domain-stratified bootstrap, percentile intervals, the minimum detectable
effect), ``clustered`` (task-clustered paired standard errors), ``scores`` (the score table under
either rule), ``ranking`` (tie groups and the leaderboard).
"""

from arena.runfolder import counted
from arena.stats.bootstrap import Bootstrap, minimum_detectable_effect, paired_bootstrap, percentile_interval
from arena.stats.clustered import clustered_se
from arena.stats.ranking import leaderboard, tie_groups
from arena.stats.scores import ENGINES, GAIN_SHARE, INTERVALS, ORGANIZERS, RULES, interval_label, score_table
from arena.stats.tables import (
    OVERALL,
    domain_order,
    domain_table,
    pass_at_k,
    select_agent,
    task_table,
    task_values,
)

__all__ = ["Bootstrap", "ENGINES", "GAIN_SHARE", "INTERVALS", "ORGANIZERS", "OVERALL", "RULES", "clustered_se",
           "counted", "domain_order", "domain_table", "interval_label", "leaderboard", "minimum_detectable_effect",
           "paired_bootstrap", "pass_at_k", "percentile_interval", "score_table", "select_agent", "task_table",
           "task_values", "tie_groups"]  # fmt: skip
