"""Ranking teams without ranking noise: tie groups of overlapping intervals and the leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd

from arena.stats.tables import OVERALL, domain_order


def tie_groups(ci_low, ci_high) -> np.ndarray:
    """Tie group (1 = best) of each interval: the connected components of the overlap graph
    (closed intervals; touching counts).  Transitive: A ~ B and B ~ C put A, B, C in one group even
    when A and C are separated.  Groups are disjoint stretches of the axis, numbered from the top.
    NaN intervals get group 0 (unranked)."""
    low, high = np.asarray(ci_low, float), np.asarray(ci_high, float)
    group = np.zeros(low.size, dtype=int)
    g, floor = 0, np.inf
    for i in sorted(np.flatnonzero(~np.isnan(low) & ~np.isnan(high)), key=lambda i: -high[i]):
        if high[i] < floor:  # entirely below everything seen so far: a new group starts
            g += 1
        floor = low[i] if high[i] < floor else min(floor, low[i])
        group[i] = g
    return group


def leaderboard(scores: pd.DataFrame) -> pd.DataFrame:
    """Teams ranked from a :func:`score_table`: team, delta, ci_low, ci_high, rank, tie_group,
    n_better, n_tasks, mde and ``delta_<domain>`` columns.

    Teams whose intervals overlap share a tie group (see :func:`tie_groups`) and a rank: rank is
    1 + the number of teams in better groups (1, 1, 1, 4, …), so no team is ranked above another
    on noise.  ``n_better`` is the non-transitive view: how many teams' intervals lie entirely
    above this team's.  Rows are sorted by tie group, then delta; teams without a score come last.
    """
    top = scores[scores["domain"] == OVERALL].set_index("team")
    wide = scores[scores["domain"] != OVERALL].pivot(index="team", columns="domain", values="delta")
    wide = wide[domain_order(wide.columns)].add_prefix("delta_")
    board = top[["delta", "ci_low", "ci_high", "n_tasks", "mde"]].copy()
    board["tie_group"] = tie_groups(board["ci_low"], board["ci_high"])
    sizes = board.loc[board["tie_group"] > 0].groupby("tie_group").size()
    better = sizes.cumsum() - sizes
    board["rank"] = [better[g] + 1 if g else pd.NA for g in board["tie_group"]]
    low, high = board["ci_low"].to_numpy(), board["ci_high"].to_numpy()
    board["n_better"] = (low[None, :] > high[:, None]).sum(1)
    board["_last"] = board["tie_group"] == 0
    board = board.join(wide).rename_axis("team").reset_index()
    board = board.sort_values(["_last", "tie_group", "delta", "team"], ascending=[True, True, False, True])
    board["rank"] = board["rank"].astype("Int64")
    first = ["team", "delta", "ci_low", "ci_high", "rank", "tie_group", "n_better", "n_tasks", "mde"]
    return board[first + list(wide.columns)].reset_index(drop=True)
