"""The showcase's plan: its fixed names (corpora, teams, the runs), how big each stage is (the
default run and the test-sized ``quick`` one) and the one recipe every run trains with."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "environments" / "reference"
TEAMS_DIR = REPO / "environments" / "teams"
HELDOUT = REPO / "data" / "heldout"
NOTEBOOKS = REPO / "notebooks"
TEAMS = ("polymath", "bluefence", "hasty", "parrot")
#: the memorizing demo team: its checkpoint is also evaluated on its own training tasks (the probe)
MEMORIZER = "parrot"
#: runs whose SFT-only checkpoint is evaluated too (eval/<run>@sft): GRPO's own contribution
SFT_ONLY = ("baseline", "polymath", "bluefence")
PRESET = "tiny-showcase"
STAGES = ("validate", "corpora", "train", "eval", "learnability", "report", "notebooks", "summary")
#: the run a team's lift is checked on first (the narrow entry on its own domain)
PRIMARY = ("bluefence", "cybersecurity")
SCHEMA = 1


class ShowcaseError(RuntimeError):
    """The showcase cannot go on; the message says what to do."""


# ---------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Plan:
    """How big each stage is.  ``default`` is the documented run; ``quick`` the test-sized one."""

    mode: str
    recipe: str = PRESET
    #: recipe fields replaced in quick mode (identical for every run of the showcase)
    recipe_overrides: dict = field(default_factory=dict)
    #: dynamic ladder: None = every task; N = hasty whole + N tasks of each other corpus
    ladder_sample: int | None = None
    #: oracle runs per task in the ladder (organizers: at least 3; `arena validate` uses 3 too).  6 until
    #: 2026-11-29, when bluefence grew to 200 tasks and the ladder's ~3,000 trials slowed training
    oracle_runs: int = 3
    #: single-domain corpora: tasks per training family (two families per domain)
    single_per_family: int = 12
    #: held-out tasks per domain to evaluate on (None = the whole suite)
    heldout_per_domain: int | None = None
    eval_samples: int = 1
    #: learnability: team-corpus tasks per domain sampled K times (None = every task); 24 keeps
    #: polymath and hasty whole and samples bluefence's 200 cyber tasks (its generation runs on the
    #: training thread: 67 s for the whole corpus)
    learn_per_domain: int | None = 24
    resamples: int = 10_000
    workers: int = 8
    budget_sec: float = 600.0
    notebook_timeout_sec: float = 600.0

    def to_dict(self) -> dict:
        return asdict(self)


def plan_for(quick: bool) -> Plan:
    if not quick:
        return Plan("default")
    return Plan(
        "quick",
        recipe_overrides={
            "sft": {"max_steps": 12, "per_device_train_batch_size": 8, "warmup_steps": 2, "save_steps": 12},
            "grpo": {"max_steps": 1, "per_device_train_batch_size": 8, "num_generations": 4, "save_steps": 1},
        },
        ladder_sample=2,
        single_per_family=3,
        heldout_per_domain=3,
        learn_per_domain=2,
        resamples=1000,
        budget_sec=120.0,
    )


def showcase_recipe(plan: Plan, seed: int):
    """The recipe every run of the showcase uses (the A/A control adds 1 to ``seed``)."""
    from arena.train.recipe import load_recipe, parse_recipe

    base = load_recipe(plan.recipe)
    doc = base.model_dump(mode="json")
    for section, values in plan.recipe_overrides.items():
        doc[section] = {**doc[section], **values}
    doc["seed"] = seed
    return parse_recipe(doc, f"{plan.recipe} ({plan.mode}, seed {seed})")


def run_names() -> list[str]:
    from arena.domains import DOMAIN_IDS

    return ["baseline", "baseline-reseed", *TEAMS, *(f"single-{d}" for d in DOMAIN_IDS)]


def team_root(team: str) -> Path:
    return TEAMS_DIR / team
