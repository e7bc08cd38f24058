"""Import, the metadata half: a Harbor ``task.toml`` -> arena frontmatter (domains, placeholders,
limits with Harbor's defaults, Harbor-only settings kept under ``metadata.harbor``)."""

from __future__ import annotations

import re

from arena.harbor.notes import _ENV_KEYS, ARENA_AGENT_TIMEOUT, HARBOR_DEFAULTS, Note


def _size_mb(v) -> int | None:
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMG])?B?\s*", str(v), re.IGNORECASE)
    if not m:
        return None
    n, unit = float(m.group(1)), (m.group(2) or "M").upper()
    return int(n * {"K": 1 / 1024, "M": 1, "G": 1024}[unit])


def frontmatter_from_harbor(tid: str, cfg: dict, *, domain: str | None = None,
                            domain_map: dict[str, str] | None = None) -> tuple[dict, list[Note]]:  # fmt: skip
    """The arena frontmatter mapping of a Harbor task.toml, and the notes on what did not map.

    A Harbor category is rarely one of the eight domains.  ``domain_map`` (Harbor category →
    domain, any spelling) is tried first, then the category itself, then ``domain`` (the default for
    the whole import); the Harbor category is kept as ``metadata.legacy_category``.  With none of
    them the category stays as written and the note says it is not a domain."""
    from arena import domains

    notes: list[Note] = []
    kept: dict = {}  # Harbor-only settings, under metadata.harbor
    meta = dict(cfg.get("metadata") or {})
    meta.pop("arena", None)
    pkg = cfg.get("task") or {}
    authors = pkg.get("authors") or []
    first = authors[0] if authors and isinstance(authors[0], dict) else {}
    if not meta.get("author_name"):
        meta["author_name"] = first.get("name") or "unknown"
        if not first.get("name"):
            notes.append(Note(tid, "metadata.author_name", "missing in task.toml: placeholder `unknown` written"))
    if not meta.get("author_email"):
        meta["author_email"] = first.get("email") or "unknown@example.invalid"
        if not first.get("email"):
            notes.append(
                Note(
                    tid,
                    "metadata.author_email",
                    "missing in task.toml: placeholder unknown@example.invalid written",
                )
            )
    if meta.get("difficulty") not in ("easy", "medium", "hard"):
        notes.append(
            Note(
                tid,
                "metadata.difficulty",
                (f"{meta.get('difficulty')!r} is not easy/medium/hard: written as medium"
                 if meta.get("difficulty") is not None else "missing in task.toml: written as medium"),
            )
        )
        if meta.get("difficulty") is not None:
            kept.setdefault("metadata", {})["difficulty"] = meta["difficulty"]
        meta["difficulty"] = "medium"
    cat = meta.get("category")
    mapped = None
    if cat is not None and domain_map:
        hit = next((v for k, v in domain_map.items() if domains.words(k) == domains.words(str(cat))), None)
        if hit is not None:
            mapped = (domains.resolve(hit), f"--domain-map maps {str(cat)!r} to {hit!r}")
    if mapped is None and cat is not None and domains.resolve(str(cat)) is not None:
        mapped = (domains.resolve(str(cat)), None)
    if mapped is None and domain is not None:
        mapped = (domains.resolve(domain), f"--domain {domain}")
    if mapped is not None and mapped[0] is not None:
        d, how = mapped
        if cat is not None and str(cat) != d.id:
            meta["legacy_category"] = str(cat)
        meta["category"] = d.id
        if how:
            notes.append(Note(tid, "metadata.category", f"{cat!r} → {d.id} ({how}); Harbor's category kept as "
                                                        "metadata.legacy_category" if cat is not None else
                                                        f"none in task.toml → {d.id} ({how})", "info"))  # fmt: skip
    else:
        what = (domains.hint(str(cat)) if cat is not None
                else "missing in task.toml: placeholder `unknown` written")  # fmt: skip
        notes.append(Note(tid, "metadata.category", f"{what}; pass --domain or --domain-map: outside a team entry "
                                                    "the task still validates and runs (a warning), inside one "
                                                    "`arena check` refuses it", "warning"))  # fmt: skip
        meta["category"] = str(cat) if cat is not None else "unknown"
    if not meta.get("tags") and pkg.get("keywords"):
        meta["tags"] = list(pkg["keywords"])
    for k in ("name", "description"):
        if pkg.get(k):
            kept.setdefault("task", {})[k] = pkg[k]
    if len(authors) > 1:
        kept.setdefault("task", {})["authors"] = authors
        notes.append(
            Note(
                tid,
                "task.authors",
                "arena has one author: the first is the author, all kept in metadata.harbor",
                "info",
            )
        )
    agent_cfg, ver_cfg, env_cfg = (dict(cfg.get(s) or {}) for s in ("agent", "verifier", "environment"))
    agent_t = agent_cfg.pop("timeout_sec", None)
    if agent_t is None:
        notes.append(
            Note(
                tid,
                "agent.timeout_sec",
                f"not set (no limit in Harbor): arena needs one, {ARENA_AGENT_TIMEOUT:g} s written",
            )
        )
    agent = {"timeout_sec": float(agent_t or ARENA_AGENT_TIMEOUT)}
    if agent_cfg.get("user") is not None:
        agent["user"] = str(agent_cfg.pop("user"))
    verifier = {"timeout_sec": float(ver_cfg.pop("timeout_sec", HARBOR_DEFAULTS["verifier.timeout_sec"]))}
    env = {k: env_cfg.pop(k, HARBOR_DEFAULTS[f"environment.{k}"]) for k in _ENV_KEYS}
    for old, new in (("memory", "memory_mb"), ("storage", "storage_mb")):
        if old in env_cfg:
            env[new] = _size_mb(env_cfg.pop(old)) or env[new]
    mode = env_cfg.pop("network_mode", None)
    if mode is not None:
        env["allow_internet"] = mode != "no-network"
        if mode == "allowlist":
            kept.setdefault("environment", {})["network_mode"] = mode
            notes.append(Note(tid, "environment.network_mode", "allowlist: arena has no host allowlist; internet "
                                                               "allowed in full (hosts kept in metadata.harbor)"))  # fmt: skip
    for sec, rest in (("agent", agent_cfg), ("verifier", ver_cfg), ("environment", env_cfg),
                      ("solution", dict(cfg.get("solution") or {}))):  # fmt: skip
        for k, v in rest.items():
            if v in (None, {}, []):
                continue
            kept.setdefault(sec, {})[k] = v
            if (sec, k, v) == ("environment", "skills_dir", "/skills"):  # arena's own skills mount point
                notes.append(Note(tid, f"{sec}.{k}", "/skills: arena mounts the package's environment/skills folder "
                                                     "there read-only for the agent (kept in metadata.harbor)", "info"))  # fmt: skip
                continue
            notes.append(
                Note(tid, f"{sec}.{k}", "no arena equivalent: kept in metadata.harbor, not applied by arena")
            )
    for k in sorted(
        set(cfg)
        - {"version", "schema_version", "task", "metadata", "agent", "verifier", "environment", "solution"}
    ):
        kept[k] = cfg[k]
        notes.append(Note(tid, k, "no arena equivalent: kept in metadata.harbor, not applied by arena"))
    if kept:
        meta["harbor"] = kept
    version = str(cfg.get("version") or cfg.get("schema_version") or "1.0")
    return {
        "version": version,
        "metadata": meta,
        "agent": agent,
        "verifier": verifier,
        "environment": env,
    }, notes
