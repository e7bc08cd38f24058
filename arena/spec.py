"""Typed ``task.md``: one pydantic model per frontmatter section, plus the parsed Markdown body.

Two dialects are read: the organizers' starting-kit format (``version``, ``environment.
allow_internet``…) and the BenchFlow-native aliases that map onto it cleanly (``schema_version``,
``environment.network_mode`` / ``sandbox.network_mode``, ``sandbox.{cpus,memory_mb,…}``,
``docker_image``).  When both are given and disagree, a warning says so and the starting-kit key
wins.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from arena import domains, scenes
from arena.findings import Finding, error, warning

StrList = list[str]


class _Section(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


def _as_list(v: Any) -> Any:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return v


class Metadata(_Section):
    author_name: str
    author_email: str
    category: str
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    tags: StrList = Field(default_factory=list)
    subcategory: str | None = None
    secondary_category: str | None = None
    category_confidence: str | None = None
    legacy_category: str | None = None
    task_type: StrList = Field(default_factory=list)
    modality: StrList = Field(default_factory=list)
    interface: StrList = Field(default_factory=list)
    skill_type: StrList = Field(default_factory=list)
    family: str | None = None  # procedural family that generated the task (arena generate)
    skills: StrList = Field(default_factory=list)  # transferable skills the task exercises
    # Harbor-only settings (env vars, users, network allowlists, …) kept by `arena import harbor`;
    # `arena export harbor` puts them back in their task.toml sections
    harbor: dict | None = None

    _lists = field_validator("tags", "task_type", "modality", "interface", "skill_type", "skills", mode="before")(
        _as_list
    )

    @field_validator("author_email")
    @classmethod
    def _email(cls, v: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError("must look like name@host.tld")
        return v


class AgentSection(_Section):
    timeout_sec: float = Field(900.0, gt=0, le=86400)
    answer_file: str | None = None  # answer mode: where a text-only policy's answer is written
    user: str | None = None

    @field_validator("answer_file")
    @classmethod
    def _abs(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("/"):
            raise ValueError("must be an absolute path inside the sandbox, e.g. /root/answer.txt")
        return v


class VerifierSection(_Section):
    timeout_sec: float = Field(180.0, gt=0, le=86400)
    # paths the verifier must see as the agent left them even where the carry rule would give it
    # the image's own (arena.sandbox.carry: system trees, /etc loader files, executables outside
    # the workspace, home configuration)
    outputs: StrList = Field(default_factory=list)
    # the verifier checks a service the agent left running (a server, a daemon): the agent's
    # processes are not stopped and the verifier runs in the agent's machine — weaker isolation
    # (the carry rule is not applied); docker only (local ends every command's processes with it)
    keep_services: bool = False
    # a verifier that writes named rewards (reward.json without `reward`, as Harbor's multi-reward
    # tasks do): the one to score, or `mean` / `min` of them all (arena.reward.parse_reward)
    reward_key: str | None = Field(None, min_length=1)

    _lists = field_validator("outputs", mode="before")(_as_list)

    @field_validator("outputs")
    @classmethod
    def _abs_paths(cls, v: list[str]) -> list[str]:
        bad = [p for p in v if not isinstance(p, str) or not p.startswith("/") or p.rstrip("/") == ""]
        if bad:
            raise ValueError(f"must be absolute paths below /, e.g. /etc/nginx/nginx.conf (got {bad[0]!r})")
        return v


class EnvironmentSection(_Section):
    build_timeout_sec: float = Field(600.0, gt=0, le=86400)
    cpus: float = Field(1.0, gt=0, le=256)
    memory_mb: int = Field(2048, ge=16, le=4 * 1024 * 1024)
    storage_mb: int = Field(10240, ge=16, le=64 * 1024 * 1024)
    gpus: int = Field(0, ge=0, le=64)
    allow_internet: bool = False
    base_image: str | None = None


class Role(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    name: str
    description: str | None = None


class TaskSpec(BaseModel):
    """The whole of ``task.md``: frontmatter sections and body parts."""

    model_config = ConfigDict(frozen=True)
    version: str = "1.0"
    metadata: Metadata
    agent: AgentSection = Field(default_factory=AgentSection)
    verifier: VerifierSection = Field(default_factory=VerifierSection)
    environment: EnvironmentSection = Field(default_factory=EnvironmentSection)
    prompt: str = ""
    body: str = ""
    roles: dict[str, str] = Field(default_factory=dict)  # role name -> its body section
    scenes: dict[str, str] = Field(default_factory=dict)  # scene name -> its body section
    user_persona: str | None = None
    declared_roles: tuple[str, ...] = ()
    declared_scenes: tuple[str, ...] = ()
    structure: Any = None  # arena.scenes.Structure when the task declares multi-turn execution

    @property
    def domain(self) -> str | None:
        d = domains.resolve(self.metadata.category)
        return d.id if d else None


KNOWN_TOP = {
    "version",
    "schema_version",
    "metadata",
    "agent",
    "verifier",
    "environment",
    "sandbox",
    "roles",
    "scenes",
    "user_persona",
    "user-persona",
    "agents",
    "user",
    "stop_rule",
    "private_facts",
    "id",
    "name",
}
SECTION_MODELS = {
    "metadata": Metadata,
    "agent": AgentSection,
    "verifier": VerifierSection,
    "environment": EnvironmentSection,
}
_SANDBOX_KEYS = {"cpus", "memory_mb", "storage_mb", "gpus", "allow_internet", "network_mode", "base_image"}
_SECTION_RE = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def parse_body(body: str) -> tuple[str, dict[str, str], dict[str, str], str | None]:
    """Split the Markdown body on level-2 headings: prompt, roles, scenes, user persona."""
    prompt, roles, scenes, persona = "", {}, {}, None
    marks = list(_SECTION_RE.finditer(body))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        title, text = m.group(1).strip(), body[m.end() : end].strip()
        low = title.lower()
        if low == "prompt":
            prompt = text
        elif low.startswith("role:"):
            roles[title.split(":", 1)[1].strip()] = text
        elif low.startswith("scene:"):
            scenes[title.split(":", 1)[1].strip()] = text
        elif low in ("user-persona", "user persona", "user_persona"):
            persona = text
    return prompt, roles, scenes, persona


def _names(decl: Any) -> tuple[list[str], bool]:
    """Names declared in a ``roles:``/``scenes:`` frontmatter key (list of names/dicts or mapping)."""
    if decl is None:
        return [], True
    if isinstance(decl, dict):
        return [str(k) for k in decl], True
    if isinstance(decl, list):
        out = []
        for item in decl:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                out.append(item["name"])
            else:
                return out, False
        return out, True
    return [], False


def _merge_dialects(fm: dict, path: str, findings: list[Finding]) -> dict:
    """Map BenchFlow-native keys onto the starting-kit ones; warn where both disagree."""
    fm = dict(fm)

    def put(section: dict, key: str, value: Any, source: str) -> None:
        if key in section and section[key] != value:
            findings.append(
                warning(
                    "frontmatter.dialect-conflict",
                    path,
                    f"{source} = {value!r} disagrees with {key} = {section[key]!r}; using {key}",
                    f"keep one of the two keys (the starting-kit key `{key}` wins)",
                )
            )
        else:
            section[key] = value

    if "schema_version" in fm:
        sv = fm.pop("schema_version")
        if "version" in fm and str(fm["version"]) != str(sv):
            findings.append(
                warning(
                    "frontmatter.dialect-conflict",
                    path,
                    f"schema_version = {sv!r} disagrees with version = {fm['version']!r}; using version",
                    "keep only `version` (starting-kit) or only `schema_version` (BenchFlow)",
                )
            )
        else:
            fm["version"] = sv
    env = fm.get("environment")
    if env is None or isinstance(env, dict):
        env = dict(env or {})
        sandbox = fm.pop("sandbox", None)
        nested = env.pop("sandbox", None)
        for src_name, src in (("sandbox", sandbox), ("environment.sandbox", nested)):
            if isinstance(src, dict):
                for k, v in src.items():
                    if k in _SANDBOX_KEYS:
                        put(env, k, v, f"{src_name}.{k}")
            elif src is not None:
                findings.append(
                    error("frontmatter.type", path, f"`{src_name}` must be a mapping, got {type(src).__name__}")
                )
        if "docker_image" in env:
            put(env, "base_image", env.pop("docker_image"), "environment.docker_image")
        if "network_mode" in env:
            mode = env.pop("network_mode")
            if mode not in ("none", "bridge", "host", "public"):
                findings.append(
                    error(
                        "frontmatter.field-value",
                        path,
                        f"environment.network_mode = {mode!r} is not one of none|bridge|host",
                        "use `allow_internet: false` (or network_mode: none) for sealed tasks",
                    )
                )
            else:
                put(env, "allow_internet", mode != "none", f"network_mode: {mode} (allow_internet)")
        if env or "environment" in fm:
            fm["environment"] = env
    return fm


def build_spec(fm: dict, body: str, path: str) -> tuple[TaskSpec | None, list[Finding]]:
    """Validate a parsed frontmatter mapping + body into a TaskSpec, collecting every finding."""
    findings: list[Finding] = []
    fm = _merge_dialects(fm, path, findings)
    for key in fm:
        if key not in KNOWN_TOP:
            findings.append(
                warning(
                    "frontmatter.unknown-key",
                    path,
                    f"unknown top-level key `{key}` (ignored)",
                    "remove it, or check its spelling against the starting-kit template",
                )
            )
    for required in ("version", "metadata", "agent", "verifier", "environment"):
        if required not in fm:
            findings.append(
                error(
                    "frontmatter.missing",
                    path,
                    f"frontmatter has no `{required}`",
                    f"add a `{required}:` section as in the starting-kit template",
                )
            )
    sections: dict[str, Any] = {}
    ok = True
    for name, model in SECTION_MODELS.items():
        raw = fm.get(name)
        if raw is None:
            if name == "metadata":
                ok = False
            continue
        if not isinstance(raw, dict):
            findings.append(
                error(
                    "frontmatter.type",
                    path,
                    f"`{name}` must be a mapping, got {type(raw).__name__}",
                    f"write `{name}:` followed by indented `key: value` lines",
                )
            )
            ok = False
            continue
        try:
            sec = model.model_validate(raw)
        except ValidationError as exc:
            ok = False
            for e in exc.errors():
                loc = ".".join(str(p) for p in (name, *e["loc"]))
                rule = "frontmatter.missing" if e["type"] == "missing" else "frontmatter.field"
                got = "" if e["type"] == "missing" else f" (got {e.get('input')!r:.60})"
                findings.append(
                    error(rule, path, f"{loc}: {e['msg']}{got}", f"set `{loc}` to a valid value")
                )
            continue
        for extra in sec.model_extra or {}:
            findings.append(
                warning(
                    "frontmatter.unknown-key",
                    path,
                    f"unknown key `{name}.{extra}` (ignored)",
                    "remove it, or check its spelling against the starting-kit template",
                )
            )
        sections[name] = sec
    version = fm.get("version", "1.0")
    if not isinstance(version, (str, int, float)):
        findings.append(error("frontmatter.type", path, "`version` must be a string like \"1.0\""))
        ok = False
    prompt, roles, scenes_, persona = parse_body(body)
    decl_roles, good_r = _names(fm.get("roles"))
    decl_scenes, good_s = _names(fm.get("scenes"))
    for key, good in (("roles", good_r), ("scenes", good_s)):
        if not good:
            findings.append(
                error(
                    "body.declaration",
                    path,
                    f"`{key}` must be a list of names (or of mappings with `name`) or a mapping",
                    f"e.g. `{key}: [analyst, reviewer]`",
                )
            )
    structure, more = scenes.parse_structure(
        fm, {"prompt": prompt, "roles": roles, "scenes": scenes_, "persona": persona}, path
    )
    findings += more
    agent_roles = [r for r in (structure.roles if structure else {}) if r not in decl_roles]
    _compare_parts(findings, path, "role", decl_roles, roles, also_declared=agent_roles)
    _compare_parts(findings, path, "scene", decl_scenes, scenes_)
    wants_persona = "user_persona" in fm or "user-persona" in fm
    if wants_persona and persona is None:
        findings.append(
            error(
                "body.missing-part",
                path,
                "frontmatter declares a user persona but the body has no `## user-persona` section",
                "add a `## user-persona` section or drop the declaration",
            )
        )
    if not ok:
        return None, findings
    spec = TaskSpec(
        version=str(version),
        metadata=sections["metadata"],
        agent=sections.get("agent", AgentSection()),
        verifier=sections.get("verifier", VerifierSection()),
        environment=sections.get("environment", EnvironmentSection()),
        prompt=prompt,
        body=body,
        roles=roles,
        scenes=scenes_,
        user_persona=persona,
        declared_roles=tuple(decl_roles),
        declared_scenes=tuple(decl_scenes),
        structure=structure,
    )
    return spec, findings


def _compare_parts(findings: list[Finding], path: str, kind: str, declared: list[str], present: dict,
                   also_declared: list[str] = ()) -> None:  # fmt: skip
    for name in declared:
        if name not in present:
            findings.append(
                error(
                    "body.missing-part",
                    path,
                    f"{kind} `{name}` is declared in the frontmatter but has no `## {kind}:{name}` section",
                    f"add a `## {kind}:{name}` section to the body or remove it from `{kind}s:`",
                )
            )
    for name in present:
        if name not in declared and name not in also_declared:
            findings.append(
                warning(
                    "body.undeclared-part",
                    path,
                    f"body has `## {kind}:{name}` but `{kind}s:` in the frontmatter does not declare it",
                    f"add `{name}` to `{kind}s:` in the frontmatter",
                )
            )
