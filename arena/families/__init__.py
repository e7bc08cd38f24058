"""Procedural task families: seeded, deterministic generators of complete answer-mode task packages.

Each family is one kind of small task in one of the eight domains (``FAMILIES``, three per domain:
two for training corpora and one *reserved* far-transfer probe that only the held-out suite uses).
Every package asks a single-turn question whose data sits in the prompt, names the answer file
(``/root/answer.txt``) and carries a stdlib-only verifier with partial credit.

    from arena import families
    families.generate("unit-convert", n=10, seed=1, out="corpus/", difficulty="easy", split="train")

``split="heldout"`` draws from the other half of every entity pool and from paraphrased question
templates (intro and ask; the answer-contract lines are the same in both splits), so no held-out
task can coincide with a training one.
"""

from __future__ import annotations

from pathlib import Path

from arena.families.aiml import ConfigFields, MetricArgmax, TraceErrors
from arena.families.base import (
    DIFFICULTIES,
    FORMATS,
    SPLITS,
    Family,
    Generated,
    Instance,
    package_files,
    write_generated,
)
from arena.families.cyber import FailedLoginIps, PortScanSource, WebAttackType
from arena.families.finance import InvoiceTotal, LedgerBalance, TickerGain
from arena.families.industrial import MeterDelta, PumpStatus, SensorAlarms
from arena.families.media import ClipFrames, PlaylistDuration, SubtitleTiming
from arena.families.office import ActionItems, CalendarConflicts, DeadlineCount
from arena.families.sciences import DecayHalving, StoichAtoms, UnitConvert
from arena.families.swe import CodeOutput, FailedTests, StacktraceLine
from arena.registry import FAMILY_PLUGINS

__all__ = [
    "DIFFICULTIES",
    "FAMILIES",
    "FORMATS",
    "SPLITS",
    "Family",
    "Generated",
    "Instance",
    "generate",
    "get",
    "instances",
    "names",
    "package_files",
]

_CLASSES = (
    UnitConvert, StoichAtoms, DecayHalving,
    SensorAlarms, MeterDelta, PumpStatus,
    FailedLoginIps, WebAttackType, PortScanSource,
    InvoiceTotal, LedgerBalance, TickerGain,
    ActionItems, CalendarConflicts, DeadlineCount,
    PlaylistDuration, SubtitleTiming, ClipFrames,
    ConfigFields, MetricArgmax, TraceErrors,
    CodeOutput, StacktraceLine, FailedTests,
)  # fmt: skip

#: name -> family instance, in domain order
FAMILIES: dict[str, Family] = {c.name: c() for c in _CLASSES}


def names(*, reserved: bool | None = None, domain: str | None = None) -> list[str]:
    """Family names, optionally only the reserved (far-transfer) or only the training ones, or one domain."""
    return [
        n
        for n, f in FAMILIES.items()
        if (reserved is None or f.reserved == reserved) and (domain is None or f.domain == domain)
    ]


def get(name: str) -> Family:
    """A built-in family, or one an installed package adds (entry points ``arena.families``)."""
    if name in FAMILIES:
        return FAMILIES[name]
    if name in FAMILY_PLUGINS:
        return FAMILY_PLUGINS.load(name)()
    raise KeyError(f"unknown family {name!r}; `arena generate --list` shows the {len(FAMILIES)} families")


def instances(
    family: str, n: int, seed: int = 0, difficulty: str = "medium", split: str = "train", start: int = 0
) -> list[Generated]:
    """The first ``n`` instances (from index ``start``) of a family, in memory."""
    fam = get(family)
    return [fam.generate_one(seed, i, difficulty, split) for i in range(start, start + n)]


def generate(
    family: str,
    n: int,
    seed: int,
    out: str | Path,
    difficulty: str = "medium",
    split: str = "train",
    *,
    force: bool = False,
    start: int = 0,
) -> list[Path]:
    """Write ``n`` packages of ``family`` under ``out`` (one folder per task id); returns their paths."""
    out = Path(out)
    gens = instances(family, n, seed, difficulty, split, start)
    if not force:
        taken = [g.task_id for g in gens if (out / g.task_id).exists()]
        if taken:
            more = f" and {len(taken) - 3} more" if len(taken) > 3 else ""
            raise FileExistsError(
                f"{', '.join(taken[:3])}{more} already exist in {out} (use --force to replace them)"
            )
    out.mkdir(parents=True, exist_ok=True)
    return [write_generated(g, out, force=force) for g in gens]
