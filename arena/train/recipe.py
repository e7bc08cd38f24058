"""The training recipe: one YAML file validated into a typed model, with a digest.

A recipe says everything a post-training run depends on, so "the identical recipe" is checkable:

  model      what to start from: a local folder or hub id (``path``) or a generated tiny model
             (``tiny: {size, seed}``), dtype, full fine-tuning or LoRA
  stages     which stages run, in order (``[sft, grpo]``)
  demos      where SFT demonstrations come from (the oracle, verified; or a teacher endpoint)
  sft        TRL ``SFTConfig`` fields, by their TRL names
  grpo       TRL ``GRPOConfig`` fields, by their TRL names
  rollout    ``answer`` (single turn: the completion goes to the answer file) or ``tools``
             (multi-turn bash tool in the sandbox), ``max_turns``
  reward     verifier-backed reward: timeout, infrastructure retries, where its trials run
             (``executor: local`` thread pool, or ``ray`` with an optional cluster ``address``)
  runtime    sandbox runtime for oracle demos and rewards; ``workers`` trials in parallel
  launch     how a GPU run is launched (processes, accelerate/DeepSpeed config, vLLM mode)
  seed       one seed for model init, data order and sampling

``sft`` and ``grpo`` are checked against the installed TRL's config dataclasses: an unknown or
renamed field is an error that names the field, the closest valid name and the TRL version.
``recipe_digest`` is the sha256 of the canonical JSON of the validated recipe (``name``,
``description``, ``reward.executor`` and ``reward.address`` excluded), recorded in every model
card.  The executor says where reward trials run, not what they score (the same rewards either
way), so a run started on the local pool can be resumed on Ray and the other way round.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from arena.registry import EXECUTORS, RUNTIMES

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
#: the checkout holding arena/ (and models/, the committed base models the presets start from)
REPO_ROOT = Path(__file__).resolve().parents[2]

#: fields arena sets itself for every run; a recipe must not set them
ARENA_OWNED = {
    "output_dir": "arena writes each stage under --out",
    "logging_dir": "TensorBoard logs go to <out>/tensorboard/<stage>",
    "report_to": "arena always logs to TensorBoard",
    "seed": "set the top-level `seed:` of the recipe",
    "data_seed": "set the top-level `seed:` of the recipe",
    "resume_from_checkpoint": "use `arena train ... --resume`",
    "use_cpu": "arena sets it when no GPU is visible",
    "push_to_hub": "arena exports locally (model_card.json + checkpoint)",
}

#: TRL / transformers fields renamed or removed across versions: old -> (new or None, note)
RENAMED: dict[str, tuple[str | None, str]] = {
    "max_seq_length": ("max_length", "renamed in TRL 0.20"),
    "evaluation_strategy": ("eval_strategy", "renamed in transformers 4.46"),
    "no_cuda": ("use_cpu", "renamed in transformers 4.34 (and set by arena)"),
    "per_gpu_train_batch_size": ("per_device_train_batch_size", "renamed in transformers"),
    "per_gpu_eval_batch_size": ("per_device_eval_batch_size", "renamed in transformers"),
    "max_prompt_length": (None, "removed from GRPOConfig in TRL 1.x: prompts are no longer truncated"),
    "use_liger_loss": ("use_liger_kernel", "renamed in TRL"),
    "completion_only_loss_template": ("completion_only_loss", "TRL uses prompt/completion datasets instead"),
    "vllm_device": (None, "removed from GRPOConfig: use vllm_mode (colocate | server)"),
    "vllm_guided_decoding_regex": ("vllm_structured_outputs_regex", "renamed in TRL 0.25"),
    "ds3_gather_for_generation_kwargs": ("ds3_gather_for_generation", "renamed"),
}



def _registered(registry, name: str, field: str) -> str:
    """``name`` when the registry knows it (built in, or a package's entry point)."""
    if name in registry:
        return name
    extra = ["auto"] if field == "runtime" else []
    raise ValueError(f"{name!r} is not a registered {registry.kind}; use one of "
                     f"{', '.join([*extra, *registry.names()])}")

class RecipeError(ValueError):
    """A recipe that cannot be used; the message says which field and what to write instead."""


def trl_version() -> str:
    import trl

    return trl.__version__


def config_fields(stage: str) -> dict[str, Any]:
    """name -> default of every field of TRL's SFTConfig / GRPOConfig (installed version)."""
    import dataclasses

    from trl import GRPOConfig, SFTConfig

    cls = {"sft": SFTConfig, "grpo": GRPOConfig}[stage]
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            out[f.name] = f.default_factory()  # type: ignore[misc]
        else:
            out[f.name] = None
    return out


def check_trl_fields(stage: str, values: dict[str, Any]) -> list[str]:
    """Problems with ``values`` as fields of the installed TRL config for ``stage`` (empty = fine)."""
    fields = config_fields(stage)
    cls = {"sft": "SFTConfig", "grpo": "GRPOConfig"}[stage]
    problems = []
    for key, value in values.items():
        where = f"{stage}.{key}"
        if key in ARENA_OWNED:
            problems.append(f"{where}: set by arena, not by the recipe ({ARENA_OWNED[key]})")
            continue
        if key not in fields:
            hint = ""
            if key in RENAMED:
                new, note = RENAMED[key]
                hint = f"; {note}" + (f": use `{new}`" if new else "")
            else:
                close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                hint = f"; did you mean `{close[0]}`?" if close else ""
            problems.append(f"{where}: not a field of TRL {cls} (TRL {trl_version()} installed){hint}")
            continue
        default = fields[key]
        if value is None:
            continue
        if isinstance(default, bool) and not isinstance(value, bool):
            problems.append(f"{where}: must be true or false, got {value!r}")
        elif isinstance(default, int) and not isinstance(default, bool) and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            problems.append(f"{where}: must be a number, got {value!r}")
        elif isinstance(default, float) and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"{where}: must be a number, got {value!r}")
    return problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TinySpec(_Strict):
    size: Literal["tiny", "small"] = "tiny"
    seed: int = 0


class LoraSpec(_Strict):
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.0, ge=0, le=1)
    target_modules: list[str] | str = "all-linear"


class ModelSpec(_Strict):
    path: str | None = Field(None, description="local folder or hub id of the starting model")
    tiny: TinySpec | None = Field(None, description="generate a tiny random-init model instead of loading one")
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = "float32"
    finetune: Literal["full", "lora"] = "full"
    lora: LoraSpec = Field(default_factory=LoraSpec)
    attn_implementation: str | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if (self.path is None) == (self.tiny is None):
            raise ValueError("set exactly one of model.path (a folder or hub id) or model.tiny ({size, seed})")
        return self


class TeacherSpec(_Strict):
    base_url: str = Field(..., description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    model: str
    api_key_env: str | None = Field(None, description="environment variable holding the API key")
    attempts: int = Field(2, ge=1, description="trajectories tried per task; only verified (1.0) ones are kept")
    temperature: float = 0.7
    max_tokens: int = 1024


class DemoSpec(_Strict):
    source: Literal["oracle", "teacher"] = "oracle"
    teacher: TeacherSpec | None = None
    min_reward: float = Field(1.0, description="keep demonstrations the verifier scored at least this")
    system_prompt: str | None = None

    @model_validator(mode="after")
    def _teacher(self):
        if self.source == "teacher" and self.teacher is None:
            raise ValueError("demos.source is teacher: set demos.teacher (base_url, model)")
        return self


class RolloutSpec(_Strict):
    mode: Literal["answer", "tools"] = "answer"
    max_turns: int = Field(1, ge=1, description="tool mode: tool-calling iterations per episode")
    tool_timeout_sec: float = Field(20.0, gt=0, description="tool mode: timeout of one bash call")
    max_tool_output_chars: int = Field(2000, ge=100)


class RewardSpec(_Strict):
    isolation: Literal["trial", "group"] = Field(
        "trial", description="trial: a fresh sandbox per completion; group (answer mode): the completions of one "
        "prompt share a fresh sandbox, one verifier run each (the agent runs no code in answer mode)")
    timeout_sec: float = Field(30.0, gt=0, description="verifier timeout (the task's own, if lower, wins)")
    retries: int = Field(1, ge=0, description="retries of a trial that failed for infrastructure reasons")
    record_rollouts: bool = True
    executor: str = Field(
        "local",
        description="where reward trials run: local (thread pool, default), ray (answer mode only: "
        "tool-mode episodes live in the training process) or an executor a package registers",
    )
    address: str | None = Field(
        None, description="executor ray: cluster address (none = a local cluster on 127.0.0.1)"
    )

    @field_validator("executor")
    @classmethod
    def _known_executor(cls, v):
        return _registered(EXECUTORS, v, "reward.executor")

    @model_validator(mode="after")
    def _address_needs_ray(self):
        if self.address and self.executor != "ray":
            raise ValueError("reward.address is a Ray cluster address: set reward.executor: ray with it")
        return self


class VLLMSpec(_Strict):
    mode: Literal["colocate", "server"] = "colocate"
    gpu_memory_utilization: float = Field(0.35, gt=0, le=1)
    tensor_parallel_size: int = Field(1, ge=1)
    server_host: str = "127.0.0.1"
    server_port: int = 8000
    server_gpus: int = Field(1, ge=1, description="server mode: GPUs given to `trl vllm-serve`")


class LaunchSpec(_Strict):
    num_processes: int = Field(1, ge=1, description="training processes (GPUs) for `accelerate launch`")
    accelerate_config: str | None = Field(None, description="bundled name (zero3, ddp) or a YAML path")
    use_vllm: bool = False
    vllm: VLLMSpec = Field(default_factory=VLLMSpec)
    gpu: bool = Field(False, description="this recipe needs a CUDA GPU")


class Recipe(_Strict):
    name: str = "custom"
    description: str = ""
    seed: int = 0
    stages: list[Literal["sft", "grpo"]] = Field(default_factory=lambda: ["sft", "grpo"])
    model: ModelSpec
    demos: DemoSpec = Field(default_factory=DemoSpec)
    sft: dict[str, Any] = Field(default_factory=dict)
    grpo: dict[str, Any] = Field(default_factory=dict)
    rollout: RolloutSpec = Field(default_factory=RolloutSpec)
    reward: RewardSpec = Field(default_factory=RewardSpec)
    runtime: str = "local"  # auto, local, docker or a runtime a package registers (arena.registry)
    workers: int = Field(2, ge=1)
    launch: LaunchSpec = Field(default_factory=LaunchSpec)

    @field_validator("runtime")
    @classmethod
    def _known_runtime(cls, v):
        return v if v == "auto" else _registered(RUNTIMES, v, "runtime")

    @field_validator("stages")
    @classmethod
    def _stages(cls, v):
        if not v:
            raise ValueError("stages must name at least one of sft, grpo")
        if len(set(v)) != len(v) or v != sorted(v, key=["sft", "grpo"].index):
            raise ValueError("stages must be [sft], [grpo] or [sft, grpo] (in that order, each once)")
        return v

    @model_validator(mode="after")
    def _tool_rewards_stay_local(self):
        if self.rollout.mode == "tools" and self.reward.executor != "local":
            raise ValueError(
                f"reward.executor {self.reward.executor} cannot score rollout.mode tools: each tool-mode episode's "
                "sandbox is driven by the model's tool calls inside the training process (TRL environments), so "
                "its reward is read there; use reward.executor: local (or rollout.mode: answer)"
            )
        return self

    def canonical(self) -> dict:
        """What the digest covers: not the name or description, nor where reward trials run."""
        doc = self.model_dump(mode="json")
        doc.pop("name", None)
        doc.pop("description", None)
        doc["reward"].pop("executor", None)
        doc["reward"].pop("address", None)
        return doc

    @property
    def digest(self) -> str:
        return recipe_digest(self)


def resolve_model_path(path: str) -> str:
    """Where ``model.path`` loads from: the path itself when it exists (absolute, or relative to the
    working directory); else, for a relative path, the same path under the arena checkout (the
    presets name the committed ``models/arena-base-2m`` that way, so they work from any cwd); else
    the string unchanged (a hub id)."""
    p = Path(path).expanduser()
    if p.exists() or p.is_absolute():
        return str(p)
    in_repo = REPO_ROOT / p
    return str(in_repo) if in_repo.exists() else path


def recipe_digest(recipe: Recipe) -> str:
    """sha256 of the canonical JSON (sorted keys, no whitespace) of the validated recipe."""
    blob = json.dumps(recipe.canonical(), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


def _format_validation(exc: ValidationError, source: str) -> str:
    lines = [f"recipe {source} is not valid:"]
    for e in exc.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = e["msg"]
        if e["type"] == "value_error":  # our validators' own sentences, without pydantic's "Value error, "
            msg = str(e.get("ctx", {}).get("error", msg))
        if e["type"] == "extra_forbidden":
            parent = e["loc"][:-1]
            known = _known_keys(parent)
            close = difflib.get_close_matches(str(e["loc"][-1]), known, n=1, cutoff=0.6)
            msg = "unknown key" + (f"; did you mean `{close[0]}`?" if close else f" (known: {', '.join(known)})")
        lines.append(f"  {loc}: {msg}")
    return "\n".join(lines)


def _known_keys(loc: tuple) -> list[str]:
    model: type[BaseModel] = Recipe
    for part in loc:
        f = model.model_fields.get(str(part))
        if f is None:
            return []
        ann = f.annotation
        sub = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if sub is None:
            return []
        model = sub
    return list(model.model_fields)


def parse_recipe(doc: dict, source: str = "<dict>", *, check_trl: bool = True) -> Recipe:
    """Validate a recipe mapping.  Raises ``RecipeError`` listing every problem."""
    if not isinstance(doc, dict):
        raise RecipeError(f"recipe {source} must be a YAML mapping, got {type(doc).__name__}")
    try:
        recipe = Recipe.model_validate(doc)
    except ValidationError as exc:
        raise RecipeError(_format_validation(exc, source)) from None
    if check_trl:
        problems = check_trl_fields("sft", recipe.sft) + check_trl_fields("grpo", recipe.grpo)
        if recipe.rollout.mode == "tools" and "max_tool_calling_iterations" in recipe.grpo:
            problems.append("grpo.max_tool_calling_iterations: set rollout.max_turns instead")
        if problems:
            raise RecipeError(f"recipe {source} is not valid:\n  " + "\n  ".join(problems))
    return recipe


def load_recipe(name_or_path: str | Path, *, check_trl: bool = True) -> Recipe:
    """A preset name (``tiny-cpu``, ``qwen3-8b``) or a YAML file path."""
    p = Path(name_or_path)
    if not p.suffix and not p.exists():
        p = PRESETS_DIR / f"{name_or_path}.yaml"
        if not p.exists():
            raise RecipeError(
                f"no preset named {str(name_or_path)!r} and no such file; presets: {', '.join(preset_names())}"
            )
    if not p.is_file():
        raise RecipeError(f"recipe file {p} does not exist")
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RecipeError(f"recipe {p} is not valid YAML: {exc}") from None
    return parse_recipe(doc, str(p), check_trl=check_trl)
