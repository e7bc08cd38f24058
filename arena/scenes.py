"""The multi-turn structure a ``task.md`` declares: roles, scenes of turns, a simulated user.

Keys (BenchFlow-native names)::

    agents:
      roles:
        analyst:   {agent: policy, capabilities: [bash]}     # policy = the agent under test
        responder: {agent: policy, capabilities: [bash], model: null}
    scenes:
      - name: triage
        turns: [{role: analyst}]
      - name: intake                                         # a dialogue with the simulated user:
        turns: [{role: user}, {role: analyst, timeout_sec: 60}]   # one round, repeated until the
        max_rounds: 3                                        # stop rule ends it
    user:
      model: scripted            # or a checkpoint / model name served by `engine`
      engine: transformers       # transformers | vllm | openai (base_url:) — model users only
      private_facts: {deadline: "Thursday 12:00 UTC"}        # shown to the user simulator only
    stop_rule: {until: satisfied, max_rounds: 4}             # or `rounds` (always max_rounds)

A turn's prompt is the first of: the turn's ``prompt``, the ``## scene:<name>`` section, the
``## role:<name>`` section, the base ``## prompt`` (turn > scene > role > base); the role section is
also given as the role's standing instructions when a more specific prompt wins.  The scripted
user replies from a fenced ``yaml`` block in ``## user-persona`` (``opening``, ``replies: [{when:
[words], say}]``, ``default``, ``satisfied_when: [words]``, ``satisfied_say``); ``{name}`` in a reply
is filled from ``private_facts``.

Everything declared that arena cannot honour is an error finding here (rule ``multiturn.*``, the
key named), so ``arena check`` / ``validate`` refuse the task before anything is launched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from arena.findings import Finding, error

USER = "user"  # the reserved role name of the simulated user in a scene's turns
DEFAULT_ROLE = "agent"  # the one role of a task that declares scenes but no roles
ROLE_AGENTS = ("policy", "oracle", "nop")  # who may play a role: the agent under test, or a pinned one
CAPABILITIES = ("bash", "chat")  # bash: run commands in the sandbox; chat: text only
USER_ENGINES = ("transformers", "vllm", "openai")
STOP_UNTIL = ("satisfied", "rounds")
DEFAULT_MAX_ROUNDS = 4
_ROLE_KEYS = {"agent", "model", "capabilities", "description"}
_SCENE_KEYS = {"name", "turns", "max_rounds", "description"}
_TURN_KEYS = {"role", "prompt", "timeout_sec"}
_USER_KEYS = {"model", "engine", "base_url", "private_facts", "stop_rule", "max_new_tokens"}
_STOP_KEYS = {"until", "max_rounds"}
_SCRIPT_KEYS = {"opening", "replies", "default", "satisfied_when", "satisfied_say"}
_YAML_BLOCK = re.compile(r"```ya?ml[ \t]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class RoleDecl:
    name: str
    agent: str = "policy"
    capabilities: tuple[str, ...] = ("bash",)
    model: str | None = None


@dataclass(frozen=True)
class TurnDecl:
    role: str
    prompt: str | None = None
    timeout_sec: float | None = None


@dataclass(frozen=True)
class SceneDecl:
    name: str
    turns: tuple[TurnDecl, ...]
    max_rounds: int | None = None

    @property
    def has_user(self) -> bool:
        return any(t.role == USER for t in self.turns)


@dataclass(frozen=True)
class StopRule:
    until: str = "satisfied"
    max_rounds: int = DEFAULT_MAX_ROUNDS


@dataclass(frozen=True)
class UserDecl:
    model: str = "scripted"
    engine: str = "transformers"
    base_url: str | None = None
    private_facts: dict = field(default_factory=dict)
    script: dict | None = None  # the scripted user's rules (from the persona's yaml block)
    persona: str = ""  # the persona text without the script block (a model user's brief)
    max_new_tokens: int = 96

    @property
    def scripted(self) -> bool:
        return self.model == "scripted"


@dataclass(frozen=True)
class Structure:
    roles: dict[str, RoleDecl]
    scenes: tuple[SceneDecl, ...]
    user: UserDecl | None = None
    stop_rule: StopRule = StopRule()

    def rounds(self, scene: SceneDecl) -> int:
        return 1 if not scene.has_user else (scene.max_rounds or self.stop_rule.max_rounds)


def declares_structure(fm: dict) -> bool:
    """Does this frontmatter ask for multi-turn execution?"""
    if "agents" in fm or "user" in fm or "stop_rule" in fm or "private_facts" in fm:
        return True
    return isinstance(fm.get("scenes"), list) and bool(fm["scenes"])


def _fail(out: list[Finding], path: str, key: str, msg: str, fix: str, rule: str = "multiturn.unsupported") -> None:
    out.append(error(rule, path, f"`{key}`: {msg}", fix))


def _known(out: list[Finding], path: str, key: str, got: dict, allowed: set[str]) -> None:
    for k in got:
        if k not in allowed:
            _fail(out, path, f"{key}.{k}", "arena cannot honour this key (refused rather than ignored)",
                  f"remove it; `{key}` takes {', '.join(sorted(allowed))}")  # fmt: skip


def _positive(out, path, key, v, kind=float) -> Any:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0 or (kind is int and int(v) != v):
        _fail(out, path, key, f"must be a positive {'integer' if kind is int else 'number'}, got {v!r}",
              f"set `{key}` to e.g. {3 if kind is int else 60}", "multiturn.type")  # fmt: skip
        return None
    return kind(v)


def _roles(fm: dict, path: str, out: list[Finding]) -> dict[str, RoleDecl]:
    roles: dict[str, RoleDecl] = {}
    agents = fm.get("agents")
    if agents is not None and not isinstance(agents, dict):
        _fail(out, path, "agents", "must be a mapping with `roles:`", "write `agents: {roles: {NAME: {...}}}`", "multiturn.type")
        agents = {}
    agents = agents or {}
    _known(out, path, "agents", agents, {"roles"})
    decl = agents.get("roles") or {}
    if not isinstance(decl, dict):
        _fail(out, path, "agents.roles", "must map role names to settings", "e.g. `roles: {analyst: {agent: policy}}`",
              "multiturn.type")  # fmt: skip
        decl = {}
    for name, conf in decl.items():
        key = f"agents.roles.{name}"
        conf = {} if conf is None else conf
        if not isinstance(conf, dict):
            _fail(out, path, key, "must be a mapping (agent, model, capabilities)", "e.g. `{agent: policy}`", "multiturn.type")
            continue
        _known(out, path, key, conf, _ROLE_KEYS)
        agent = conf.get("agent") or "policy"
        if agent not in ROLE_AGENTS:
            _fail(out, path, f"{key}.agent", f"{agent!r} is not an agent arena can run for a role",
                  f"use one of {', '.join(ROLE_AGENTS)} (policy = the agent under test)")  # fmt: skip
        caps = conf.get("capabilities", ["bash"])
        caps = [caps] if isinstance(caps, str) else caps
        if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
            _fail(out, path, f"{key}.capabilities", "must be a list of names", "e.g. `[bash]`", "multiturn.type")
            caps = ["bash"]
        for c in caps:
            if c not in CAPABILITIES:
                _fail(out, path, f"{key}.capabilities", f"capability {c!r} is not one arena can grant",
                      f"use {' or '.join(CAPABILITIES)}")  # fmt: skip
        model = conf.get("model")
        if model is not None:
            _fail(out, path, f"{key}.model", "a per-role model is not supported: every policy role is played by the "
                  "agent under test", "remove `model` (choose the model with `arena eval --model`)")  # fmt: skip
        roles[str(name)] = RoleDecl(str(name), str(agent), tuple(caps))
    listed = fm.get("roles")
    for item in listed if isinstance(listed, (list, dict)) else ():  # other shapes: the spec's declaration check
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name not in roles:
            roles[name] = RoleDecl(name)
    if USER in roles:
        _fail(out, path, f"agents.roles.{USER}", "`user` is the simulated user's reserved name",
              "rename the role; declare the simulated user under `user:`")  # fmt: skip
        roles.pop(USER)
    return roles


def _turns(raw: Any, key: str, path: str, out: list[Finding], roles: dict) -> tuple[TurnDecl, ...]:
    if raw is None:
        if len(roles) == 1:
            return (TurnDecl(next(iter(roles))),)
        _fail(out, path, f"{key}.turns", "missing: with several roles arena cannot tell who acts",
              "add `turns: [{role: NAME}]`", "multiturn.missing")  # fmt: skip
        return ()
    if not isinstance(raw, list) or not raw:
        _fail(out, path, f"{key}.turns", "must be a non-empty list of `{role: NAME}`", "e.g. `turns: [{role: analyst}]`",
              "multiturn.type")  # fmt: skip
        return ()
    turns = []
    for i, t in enumerate(raw):
        tkey = f"{key}.turns[{i}]"
        t = {"role": t} if isinstance(t, str) else t
        if not isinstance(t, dict) or not isinstance(t.get("role"), str):
            _fail(out, path, tkey, "must be a mapping with `role`", "e.g. `{role: analyst}`", "multiturn.type")
            continue
        _known(out, path, tkey, t, _TURN_KEYS)
        role = t["role"]
        if role != USER and role not in roles:
            _fail(out, path, f"{tkey}.role", f"role {role!r} is not declared",
                  f"declare it under `agents.roles` (declared: {', '.join(roles) or 'none'})",
                  "multiturn.undeclared-role")  # fmt: skip
        prompt = t.get("prompt")
        if prompt is not None and not isinstance(prompt, str):
            _fail(out, path, f"{tkey}.prompt", "must be text", "write the turn's instruction as a string", "multiturn.type")
            prompt = None
        turns.append(TurnDecl(role, prompt, _positive(out, path, f"{tkey}.timeout_sec", t.get("timeout_sec"))))
    return tuple(turns)


def _script(persona: str, path: str, out: list[Finding]) -> tuple[dict | None, str]:
    m = _YAML_BLOCK.search(persona or "")
    if not m:
        return None, (persona or "").strip()
    text = persona[: m.start()] + persona[m.end() :]
    try:
        if any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) for e in yaml.parse(m.group(1))):
            _fail(out, path, "user-persona", "the script block uses YAML anchors/aliases (refused)",
                  "write every value out in full", "multiturn.script")  # fmt: skip
            return None, text.strip()
        doc = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        _fail(out, path, "user-persona", f"the script block is not valid YAML: {str(exc).splitlines()[0]}",
              "fix the ```yaml block of `## user-persona`", "multiturn.script")  # fmt: skip
        return None, text.strip()
    if not isinstance(doc, dict):
        _fail(out, path, "user-persona", "the script block must be a mapping", "see arena/scenes.py", "multiturn.script")
        return None, text.strip()
    _known(out, path, "user-persona script", doc, _SCRIPT_KEYS)
    for i, r in enumerate(doc.get("replies") or []):
        if not (isinstance(r, dict) and isinstance(r.get("say"), str) and isinstance(r.get("when"), list)):
            _fail(out, path, f"user-persona script replies[{i}]", "must be `{when: [words], say: text}`",
                  "give every reply a list of trigger words and a text", "multiturn.script")  # fmt: skip
    return doc, text.strip()


def _user(fm: dict, persona: str | None, path: str, out: list[Finding]) -> tuple[UserDecl | None, StopRule]:
    raw = fm.get("user")
    stop_raw = fm.get("stop_rule")
    facts = fm.get("private_facts")
    if raw is not None and not isinstance(raw, dict):
        _fail(out, path, "user", "must be a mapping (model, private_facts, …)", "e.g. `user: {model: scripted}`", "multiturn.type")
        raw = {}
    if raw is None and facts is None:
        user = None
        raw = {}
    else:
        raw = dict(raw or {})
        _known(out, path, "user", raw, _USER_KEYS)
        if facts is not None and raw.get("private_facts") is not None and facts != raw["private_facts"]:
            _fail(out, path, "private_facts", "given both top-level and under `user:` with different values",
                  "keep one `private_facts`", "multiturn.type")  # fmt: skip
        facts = raw.get("private_facts", facts) or {}
        if not isinstance(facts, dict):
            _fail(out, path, "user.private_facts", "must map names to values", "e.g. `{deadline: Thursday}`", "multiturn.type")
            facts = {}
        model = raw.get("model", "scripted")
        engine = raw.get("engine", "transformers")
        if not isinstance(model, str) or not model:
            _fail(out, path, "user.model", "must be `scripted` or a model name/path", "e.g. `model: scripted`", "multiturn.type")
            model = "scripted"
        if model != "scripted" and engine not in USER_ENGINES:
            _fail(out, path, "user.engine", f"{engine!r} is not an engine arena has",
                  f"use one of {', '.join(USER_ENGINES)}")  # fmt: skip
        if model != "scripted" and engine == "openai" and not isinstance(raw.get("base_url"), str):
            _fail(out, path, "user.base_url", "an openai-engine user needs the endpoint's base_url",
                  "e.g. `base_url: http://127.0.0.1:8000/v1`", "multiturn.missing")  # fmt: skip
        if persona is None:
            _fail(out, path, "user", "a simulated user is declared but the body has no `## user-persona` section",
                  "add a `## user-persona` section describing the user", "multiturn.missing")  # fmt: skip
        script, text = _script(persona or "", path, out)
        if model == "scripted" and script is None and persona is not None:
            _fail(out, path, "user.model", "a scripted user needs a ```yaml block in `## user-persona` (opening, "
                  "replies, default, satisfied_when)", "add the block, or name a model for a model-backed user",
                  "multiturn.script")  # fmt: skip
        mnt = _positive(out, path, "user.max_new_tokens", raw.get("max_new_tokens"), int) or 96
        user = UserDecl(model, str(engine), raw.get("base_url"), {str(k): v for k, v in facts.items()}, script, text, mnt)
    if stop_raw is None:
        stop_raw = raw.get("stop_rule")
    stop = StopRule()
    if stop_raw is not None:
        if not isinstance(stop_raw, dict):
            _fail(out, path, "stop_rule", "must be a mapping (until, max_rounds)", "e.g. `{until: satisfied, max_rounds: 4}`",
                  "multiturn.type")  # fmt: skip
        else:
            _known(out, path, "stop_rule", stop_raw, _STOP_KEYS)
            until = stop_raw.get("until", "satisfied")
            if until not in STOP_UNTIL:
                _fail(out, path, "stop_rule.until", f"{until!r} is not a stop rule arena knows",
                      f"use {' or '.join(STOP_UNTIL)}")  # fmt: skip
                until = "satisfied"
            mr = _positive(out, path, "stop_rule.max_rounds", stop_raw.get("max_rounds"), int) or DEFAULT_MAX_ROUNDS
            stop = StopRule(str(until), mr)
    return user, stop


def parse_structure(fm: dict, sections: dict, path: str) -> tuple[Structure | None, list[Finding]]:
    """The declared structure (None for a single-turn task) and every finding about it.

    ``sections`` holds the parsed body: ``prompt``, ``roles``, ``scenes`` (name -> text), ``persona``."""
    out: list[Finding] = []
    if not declares_structure(fm):
        return None, out
    roles = _roles(fm, path, out)
    if not roles:
        roles = {DEFAULT_ROLE: RoleDecl(DEFAULT_ROLE)}
    raw_scenes = fm.get("scenes")
    scenes: list[SceneDecl] = []
    if raw_scenes is None:
        scenes.append(SceneDecl("main", _turns(None, "scenes[0]", path, out, roles)))
    elif isinstance(raw_scenes, list):
        for i, s in enumerate(raw_scenes):
            s = {"name": s} if isinstance(s, str) else s
            if not isinstance(s, dict) or not isinstance(s.get("name"), str):
                continue  # reported by the spec's declaration check
            key = f"scenes[{i}]"
            _known(out, path, key, s, _SCENE_KEYS)
            turns = _turns(s.get("turns"), key, path, out, roles)
            mr = _positive(out, path, f"{key}.max_rounds", s.get("max_rounds"), int)
            scenes.append(SceneDecl(s["name"], turns, mr))
    else:
        _fail(out, path, "scenes", "multi-turn scenes must be a list", "write `scenes: [{name: ..., turns: [...]}]`",
              "multiturn.type")  # fmt: skip
    user, stop = _user(fm, sections.get("persona"), path, out)
    if any(sc.has_user for sc in scenes) and user is None:
        _fail(out, path, "scenes", "a turn has role `user` but no simulated user is declared",
              "add `user: {model: scripted}` and a `## user-persona` section", "multiturn.missing")  # fmt: skip
    if user is not None and user.scripted and user.script is not None and not user.script.get("opening"):
        for sc in scenes:
            if sc.turns and sc.turns[0].role == USER:
                _fail(out, path, f"scene {sc.name}", "the simulated user speaks first but its script has no `opening`",
                      "add `opening:` to the persona's yaml block", "multiturn.script")  # fmt: skip
                break
    for sc in scenes:
        for t in sc.turns:
            if t.role != USER and not turn_prompt(sections, sc, t)[0].strip():
                _fail(out, path, f"scene {sc.name}", f"the turn of role {t.role!r} has no prompt (no turn prompt, "
                      "scene, role or base prompt section)", f"add a `## scene:{sc.name}` section", "multiturn.missing")  # fmt: skip
    if user is not None:
        visible = "\n".join([sections.get("prompt") or "", *sections.get("roles", {}).values(),
                             *sections.get("scenes", {}).values(), *(t.prompt or "" for s in scenes for t in s.turns)])  # fmt: skip
        for k, v in user.private_facts.items():
            if str(v).strip() and str(v).strip().lower() in visible.lower():
                _fail(out, path, f"private_facts.{k}", "its value appears in a prompt the agents see",
                      "keep private facts out of the prompt, role and scene sections", "multiturn.private-fact-leak")  # fmt: skip
    return Structure(roles, tuple(scenes), user, stop), out


def turn_prompt(sections: dict, scene: SceneDecl, turn: TurnDecl) -> tuple[str, str]:
    """(the prompt this turn gets, the role's standing instructions when they were not it)."""
    role_text = (sections.get("roles") or {}).get(turn.role) or ""
    for text in (turn.prompt, (sections.get("scenes") or {}).get(scene.name), role_text, sections.get("prompt")):
        if text and text.strip():
            return text.strip(), "" if text is role_text else role_text.strip()
    return "", role_text.strip()
