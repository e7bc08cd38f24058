"""The organizers' scoring rule: water-filled domain weights and their paired percentile bootstrap.

The competition's published scoring module (``scripts/scoring.py`` in the organizers' repository)
defines a team's score on the held-out suite as follows; this module re-implements it (arena's own
code, checked against theirs by ``tests/test_scoring_rule.py`` and ``bench/bench_scoring_agreement.py``):

* **Instances.** One paired instance per held-out task: ``reward_ref`` (the reference checkpoint)
  and ``reward_team`` in [0, 1], with a domain.  Ids are non-empty and unique; both rewards finite.
* **Per-domain Δ.** ``Δ_d = mean(reward_team) − mean(reward_ref)`` over the domain's instances;
  ``share_d = n_d / N``.
* **The ≤ cap rule (default 20%).** Weights ``w_d`` start from the shares; domains above the cap
  are clamped to it and the freed mass is spread over the others in proportion to their shares,
  repeated until no weight exceeds the cap (*water-filling*; a plain clamp-then-renormalize could
  push a clamped domain back over).  When fewer than ``1/cap`` domains are present no such
  weights exist: the natural shares are used and ``cap_applied`` is False.
  ``score = Σ_d w_d · Δ_d``.  With equal domain sizes and at least 1/cap domains the cap does not
  bind and the score is the overall Δ.
* **Interval.** A percentile bootstrap over the N paired instances (not stratified by domain):
  each of ``n_boot`` (10,000) resamples draws N instances with replacement — Python's
  ``random.Random(seed)`` (seed 0), ``choice(range(N))`` N times in a row — and recomputes the
  statistic (shares, weights and all) on the resample.  The sorted replicates give the bounds at
  index ``round(p · (n_boot − 1))`` for p = α/2 and 1 − α/2 (α = 0.05); ``significant`` iff the
  lower bound is > 0; ``p_gt_0`` is the share of replicates > 0.  Their report rounds to 4 decimals.

Two engines compute the interval, both on their random stream: :func:`bootstrap_exact` is a plain
Python replay (the reference), :func:`fast_bootstrap` draws the very same resample indices with
NumPy's MT19937 (:func:`organizers_draws`) and computes the statistic for many teams at once.
Both give their interval up to floating-point summation order (≈1e-16); the agreement and the
speed are measured in ``bench/bench_scoring_agreement.py``.  (A first NumPy engine on its own
PCG64 stream was off by up to 0.009 on 2 of 30 random sets: Monte-Carlo noise of 10,000
resamples, beyond the ±0.005 the project accepts, so it was replaced by the replayed stream.)

The per-team input contract, read and written by :func:`read_contract` / :func:`write_contract`
so an organizer can re-score with their own script::

    {"team": "slug", "instances": [{"instance_id": "…", "domain": "…",
                                    "reward_ref": 0.0, "reward_team": 1.0}, …]}
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ORGANIZERS_CAP = 0.20
N_BOOT = 10_000
ALPHA = 0.05
_EPS_FEASIBLE = 1e-9
_EPS_OVER = 1e-12


@dataclass(frozen=True)
class Instance:
    """One held-out instance scored by both checkpoints."""

    instance_id: str
    domain: str
    reward_ref: float
    reward_team: float


def validate(instances: Sequence[Instance]) -> None:
    """The contract's integrity rules: non-empty, unique non-empty ids, a domain, rewards in [0, 1]."""
    if not instances:
        raise ValueError("no instances to score")
    seen: set[str] = set()
    for it in instances:
        if not it.instance_id or it.instance_id in seen:
            raise ValueError(f"instance ids must be non-empty and unique (got {it.instance_id!r} twice or empty)")
        seen.add(it.instance_id)
        if not it.domain:
            raise ValueError(f"instance {it.instance_id!r} has no domain")
        for arm, r in (("reference", it.reward_ref), ("team", it.reward_team)):
            if not math.isfinite(r) or not 0.0 <= r <= 1.0:
                raise ValueError(f"instance {it.instance_id!r}: {arm} reward {r!r} is outside [0, 1]")


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def domain_table(instances: Sequence[Instance]) -> dict[str, dict]:
    """Per domain, in order of first appearance: n, share, ref_pass, team_pass, delta."""
    groups: dict[str, list[Instance]] = {}
    for it in instances:
        groups.setdefault(it.domain, []).append(it)
    n = len(instances)
    out = {}
    for d, items in groups.items():
        ref, team = _mean([i.reward_ref for i in items]), _mean([i.reward_team for i in items])
        out[d] = {"n": len(items), "share": len(items) / n if n else 0.0, "ref_pass": ref, "team_pass": team,
                  "delta": team - ref}  # fmt: skip
    return out


def water_fill(shares: dict[str, float], cap: float) -> dict[str, float]:
    """Weights summing to 1, each ≤ cap, proportional to ``shares`` among the unclamped domains.

    Raises ValueError when the cap is infeasible (cap · k < 1 for k domains)."""
    keys = list(shares)
    if not keys:
        return {}
    if cap * len(keys) < 1.0 - _EPS_FEASIBLE:
        raise ValueError(f"cap {cap} is infeasible for {len(keys)} domain(s): it needs cap ≥ 1/{len(keys)}")
    total = sum(shares.values()) or 1.0
    base = {k: shares[k] / total for k in keys}
    fixed: dict[str, float] = {}
    free = list(keys)
    for _ in range(len(keys) + 1):
        mass = 1.0 - sum(fixed.values())
        free_total = sum(base[k] for k in free) or 1.0
        trial = {k: mass * (base[k] / free_total) for k in free}
        over = [k for k in free if trial[k] > cap + _EPS_OVER]
        if not over:
            return {k: fixed.get(k, trial.get(k)) for k in keys}
        for k in over:
            fixed[k] = cap
        free = [k for k in free if k not in fixed]
    rest = (1.0 - sum(fixed.values())) / max(len(free), 1)  # not reached: each pass fixes a domain or ends
    return {k: fixed.get(k, rest) for k in keys}


def capped_score(instances: Sequence[Instance], cap: float | None = ORGANIZERS_CAP) -> dict:
    """``score = Σ_d w_d · Δ_d`` with water-filled weights; per domain its weight, contribution and
    whether it was clamped.  ``cap=None`` is no cap (natural shares: the overall Δ)."""
    dom = domain_table(instances)
    if not dom:
        return {"score": 0.0, "cap": cap, "cap_applied": False, "domains": {}}
    shares = {d: v["share"] for d, v in dom.items()}
    applied = cap is not None
    try:
        weights = water_fill(shares, cap) if applied else shares
    except ValueError:
        weights, applied = shares, False
    score = sum(weights[d] * dom[d]["delta"] for d in dom)
    domains = {d: {**v, "capped_weight": weights[d], "contribution": weights[d] * v["delta"],
                   "clamped": v["share"] > weights[d] + _EPS_OVER} for d, v in dom.items()}  # fmt: skip
    return {"score": score, "cap": cap, "cap_applied": applied, "domains": domains}


def overall_delta(instances: Sequence[Instance]) -> float:
    if not instances:
        return 0.0
    return _mean([i.reward_team for i in instances]) - _mean([i.reward_ref for i in instances])


def rounded_percentile(sorted_values: Sequence[float], p: float) -> float:
    """The replicate at index ``round(p · (B − 1))`` (clamped) of sorted replicates."""
    if not len(sorted_values):
        return 0.0
    k = min(len(sorted_values) - 1, max(0, int(round(p * (len(sorted_values) - 1)))))
    return float(sorted_values[k])


def bootstrap_exact(instances: Sequence[Instance], statistic: Callable[[list[Instance]], float],
                    n_boot: int = N_BOOT, alpha: float = ALPHA, seed: int = 0) -> dict:  # fmt: skip
    """The organizers' resampling scheme, draw for draw: point, lo, hi, p_gt_0, significant."""
    point = statistic(list(instances))
    n = len(instances)
    if n == 0:
        return {"point": 0.0, "lo": 0.0, "hi": 0.0, "n_boot": 0, "alpha": alpha, "p_gt_0": 0.0, "significant": False}
    rng = random.Random(seed)
    positions = range(n)
    reps = []
    for _ in range(n_boot):
        reps.append(statistic([instances[rng.choice(positions)] for _ in positions]))
    positive = sum(1 for r in reps if r > 0)
    reps.sort()
    lo, hi = rounded_percentile(reps, alpha / 2), rounded_percentile(reps, 1 - alpha / 2)
    return {"point": point, "lo": lo, "hi": hi, "n_boot": n_boot, "alpha": alpha, "p_gt_0": positive / n_boot,
            "significant": lo > 0}  # fmt: skip


def score_team(instances: Sequence[Instance], *, cap: float | None = ORGANIZERS_CAP, n_boot: int = N_BOOT,
               alpha: float = ALPHA, seed: int = 0, team: str | None = None) -> dict:  # fmt: skip
    """The organizers' report for one team (same keys as their script's JSON), exact engine."""
    validate(instances)
    instances = list(instances)
    delta_ci = bootstrap_exact(instances, overall_delta, n_boot, alpha, seed)
    capped = capped_score(instances, cap)
    capped_ci = bootstrap_exact(instances, lambda xs: capped_score(xs, cap)["score"], n_boot, alpha, seed)
    return {
        "team": team, "n_instances": len(instances), "n_domains": len({i.domain for i in instances}),
        "ref_pass_rate": _mean([i.reward_ref for i in instances]),
        "team_pass_rate": _mean([i.reward_team for i in instances]),
        "overall_delta": delta_ci["point"], "overall_delta_ci": [delta_ci["lo"], delta_ci["hi"]],
        "overall_delta_significant": delta_ci["significant"], "overall_delta_p_gt_0": delta_ci["p_gt_0"],
        "capped_score": capped["score"], "capped_score_ci": [capped_ci["lo"], capped_ci["hi"]],
        "capped_score_significant": capped_ci["significant"], "capped_score_p_gt_0": capped_ci["p_gt_0"],
        "cap": cap, "cap_applied": capped["cap_applied"], "per_domain": capped["domains"],
        "bootstrap": {"n_boot": n_boot, "alpha": alpha, "seed": seed, "engine": "organizers (exact)"},
    }  # fmt: skip


def round_floats(obj, digits: int = 4):
    """Every float rounded as the organizers' JSON output rounds it."""
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, dict):
        return {k: round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [round_floats(v, digits) for v in obj]
    return obj


# --------------------------------------------------------------------------- the fast engine
def _water_fill_batch(base: np.ndarray, present: np.ndarray, cap: float | None) -> np.ndarray:
    """Vectorized :func:`water_fill` over leading axes: ``base`` (…, D) natural shares (0 where a
    domain is absent), ``present`` (…, D).  Infeasible rows (fewer than 1/cap domains) and
    ``cap=None`` keep their shares."""
    if cap is None:
        return base
    k = present.sum(-1, keepdims=True)
    fixed = np.zeros(base.shape, dtype=bool)
    w = base.copy()
    for _ in range(base.shape[-1] + 1):
        free = present & ~fixed
        mass = 1.0 - cap * fixed.sum(-1, keepdims=True)
        free_total = np.where(free, base, 0.0).sum(-1, keepdims=True)
        free_total = np.where(free_total > 0, free_total, 1.0)
        trial = np.where(free, mass * (base / free_total), 0.0)
        over = free & (trial > cap + _EPS_OVER)
        w = np.where(fixed, cap, trial)
        if not over.any():
            break
        fixed |= over
    feasible = cap * k >= 1.0 - _EPS_FEASIBLE
    return np.where(feasible, w, base)


@dataclass(frozen=True)
class FastResult:
    """:func:`fast_bootstrap` for T teams over D domains (first-appearance order) and B resamples."""

    domains: tuple[str, ...]
    score: np.ndarray  # (T,) point estimate Σ w_d Δ_d
    ci: np.ndarray  # (T, 2) rounded-index percentile bounds
    p_gt_0: np.ndarray  # (T,)
    weights: np.ndarray  # (T, D) water-filled weights on the original suite
    domain_delta: np.ndarray  # (T, D)
    domain_ci: np.ndarray  # (T, D, 2)
    n: np.ndarray  # (T, D) paired instances
    replicates: np.ndarray  # (T, B)


def _combine(team_sum, ref_sum, count, cap):
    """(Δ_d, weights, score) from per-domain sums (…, D) and instance counts (…, D)."""
    present = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = np.where(present, team_sum / np.where(present, count, 1) - ref_sum / np.where(present, count, 1), np.nan)
        total = count.sum(-1, keepdims=True)
        base = np.where(present, count / np.where(total > 0, total, 1), 0.0)
    w = _water_fill_batch(base, present, cap)
    return delta, w, np.where(present, w * np.nan_to_num(delta), 0.0).sum(-1)


def organizers_draws(n: int, n_boot: int, seed: int = 0, *, rows: int | None = None):
    """The resample indices of the organizers' scheme, vectorized: an iterator of (b, n) int arrays,
    ``n_boot`` rows in all, equal to ``random.Random(seed).choice(range(n))`` called n times per
    resample, resample after resample.

    CPython draws ``choice(range(n))`` as ``getrandbits(k)`` with k = n.bit_length(), i.e. the top k
    bits of one 32-bit Mersenne-Twister output, rejecting values ≥ n.  NumPy's MT19937 started from
    the same state yields the same 32-bit outputs, so the accepted values, in order, are the same
    indices.  The first draws are checked against ``random.Random`` itself (a CPython that drew
    differently would raise instead of silently giving another interval)."""
    if n < 1:
        raise ValueError("need at least one instance")
    if n >= 2**32:
        raise ValueError("more than 2**32 instances")
    state = random.Random(seed).getstate()[1]
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": np.array(state[:624], dtype=np.uint32), "pos": state[624]}}
    shift = np.uint64(32 - n.bit_length())
    rows = rows or max(1, 2**16 // n)
    pending = np.empty(0, dtype=np.int64)
    done = 0
    first = True
    while done < n_boot:
        b = min(rows, n_boot - done)
        need = b * n
        while pending.size < need:
            raw = bits.random_raw(max(2 * (need - pending.size), 1024)) >> shift
            pending = np.concatenate([pending, raw[raw < n].astype(np.int64)])
        chunk, pending = pending[:need].reshape(b, n), pending[need:]
        if first:
            check = random.Random(seed)
            probe = [check.choice(range(n)) for _ in range(min(need, 64))]
            if chunk.ravel()[: len(probe)].tolist() != probe:
                raise RuntimeError("this Python draws random.choice differently from the organizers' scheme")
            first = False
        done += b
        yield chunk


@dataclass(frozen=True)
class _Suite:
    """The instances one or more teams are paired on: positions into the task columns."""

    cols: np.ndarray
    teams: list[int]


def fast_bootstrap(team: np.ndarray, ref: np.ndarray, domains: Sequence[str], *, cap: float | None = ORGANIZERS_CAP,
                   n_boot: int = N_BOOT, alpha: float = ALPHA, seed: int = 0) -> FastResult:  # fmt: skip
    """The organizers' statistic and resamples, vectorized with NumPy for T teams at once.

    ``team`` and ``ref`` are (T, N) rewards in instance order; NaN marks an instance a team has no
    paired value for: it is left out of that team's instances, as the organizers' strict pairing
    leaves it out, and that team's resamples are drawn over its own n (teams paired on the same
    instances share resamples).  The resample indices are the organizers' own stream
    (:func:`organizers_draws`), so the bounds equal their script's up to floating-point summation
    order; the per-domain intervals come from the same resamples (NaN where a resample holds none
    of a domain's instances: left out)."""
    team = np.atleast_2d(np.asarray(team, float))
    ref = np.broadcast_to(np.atleast_2d(np.asarray(ref, float)), team.shape)
    labels = list(domains)
    if team.shape[1] != len(labels):
        raise ValueError(f"{team.shape[1]} instance columns for {len(labels)} domain labels")
    order = list(dict.fromkeys(labels))
    code = np.array([order.index(lab) for lab in labels])
    ok = ~np.isnan(team) & ~np.isnan(ref)
    t_rows, n_dom = team.shape[0], len(order)
    score = np.zeros(t_rows)
    weights = np.zeros((t_rows, n_dom))
    dom_delta = np.full((t_rows, n_dom), np.nan)
    counts_pt = np.zeros((t_rows, n_dom), dtype=int)
    reps = np.full((t_rows, n_boot), np.nan)
    dom_reps = np.full((t_rows, n_dom, n_boot), np.nan)
    suites: dict[bytes, _Suite] = {}
    for t in range(t_rows):
        key = ok[t].tobytes()
        suites.setdefault(key, _Suite(np.flatnonzero(ok[t]), []))
        suites[key].teams.append(t)
    for suite in suites.values():
        cols, ts = suite.cols, suite.teams
        if cols.size == 0:
            continue
        onehot = np.eye(n_dom)[code[cols]]  # (n, D)
        tv, rv = team[np.ix_(ts, cols)], ref[np.ix_(ts, cols)]  # (t, n)
        d, w, sc = _combine(tv @ onehot, rv @ onehot, np.broadcast_to(onehot.sum(0), (len(ts), n_dom)), cap)
        score[ts], weights[ts], dom_delta[ts], counts_pt[ts] = sc, w, d, onehot.sum(0).astype(int)
        done = 0
        for idx in organizers_draws(cols.size, n_boot, seed):
            b = idx.shape[0]
            dom_of = code[cols][idx]  # (b, n) domain of each drawn instance
            cnt = np.zeros((b, n_dom))
            np.add.at(cnt, (np.repeat(np.arange(b), cols.size), dom_of.ravel()), 1.0)
            st = np.zeros((len(ts), b, n_dom))
            sr = np.zeros((len(ts), b, n_dom))
            flat = (np.arange(b)[:, None] * n_dom + dom_of).ravel()
            for j in range(len(ts)):
                st[j] = np.bincount(flat, weights=tv[j][idx].ravel(), minlength=b * n_dom).reshape(b, n_dom)
                sr[j] = np.bincount(flat, weights=rv[j][idx].ravel(), minlength=b * n_dom).reshape(b, n_dom)
            d, _w, sc = _combine(st, sr, np.broadcast_to(cnt, st.shape), cap)
            reps[ts, done : done + b] = sc
            dom_reps[ts, :, done : done + b] = np.moveaxis(d, 1, 2)
            done += b
    ci = _rounded_bounds(reps, alpha)
    dom_ci = _rounded_bounds(dom_reps, alpha)
    return FastResult(tuple(order), score, ci, (reps > 0).mean(-1), weights, dom_delta, dom_ci, counts_pt, reps)


def _rounded_bounds(reps: np.ndarray, alpha: float) -> np.ndarray:
    """Rounded-index percentile bounds along the last axis, NaN replicates left out: (…, 2)."""
    s = np.sort(reps, axis=-1)  # NaN last
    valid = (~np.isnan(s)).sum(-1)
    out = []
    for p in (alpha / 2, 1 - alpha / 2):
        k = np.clip(np.rint(p * (valid - 1)).astype(int), 0, None)
        got = np.take_along_axis(s, k[..., None], -1)[..., 0]
        out.append(np.where(valid > 0, got, np.nan))
    return np.stack(out, -1)


# --------------------------------------------------------------------------- the input contract
def instances_from_values(team: Sequence[float], ref: Sequence[float], domains: Sequence[str],
                          ids: Sequence[str]) -> list[Instance]:  # fmt: skip
    """Paired instances from per-task values (tasks with a missing value on either side left out)."""
    out = []
    for t, r, d, i in zip(team, ref, domains, ids):
        if t is None or r is None or not (math.isfinite(t) and math.isfinite(r)):
            continue
        out.append(Instance(str(i), str(d), float(r), float(t)))
    return out


def read_contract(path: str | Path) -> tuple[str | None, list[Instance], dict]:
    """(team, instances, other top-level keys) of a per-team JSON in the organizers' contract."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("instances"), list):
        raise ValueError(f"{path}: expected an object with an 'instances' list (the organizers' contract)")
    inst = []
    for pos, r in enumerate(doc["instances"]):
        try:
            inst.append(Instance(str(r.get("instance_id", r.get("id", ""))), str(r.get("domain") or ""),
                                 float(r["reward_ref"]), float(r["reward_team"])))  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: instance {pos} lacks a numeric reward_ref / reward_team ({exc})") from exc
    validate(inst)
    rest = {k: v for k, v in doc.items() if k not in ("team", "instances")}
    return doc.get("team"), inst, rest


def write_contract(path: str | Path, team: str, instances: Iterable[Instance], **provenance) -> Path:
    """Write one team's instances in the organizers' contract (provenance keys are optional extras)."""
    inst = list(instances)
    validate(inst)
    doc = {"team": team, **provenance,
           "instances": [{"instance_id": i.instance_id, "domain": i.domain, "reward_ref": i.reward_ref,
                          "reward_team": i.reward_team} for i in inst]}  # fmt: skip
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path
