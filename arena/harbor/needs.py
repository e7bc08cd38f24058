"""Import, the diagnosis half: what an imported Harbor task needs that arena must be told or
cannot give offline — services its verifier checks (solution or image ENTRYPOINT), compose
sidecars, downloads at verify time, named rewards."""

from __future__ import annotations

import re
from pathlib import Path

from arena.harbor.notes import Note

_SERVICE = re.compile(r"\b(supervisord|supervisorctl\s+(re)?start|service\s+\S+\s+(re)?start|systemctl\s+(re)?start|"
                      r"nohup|start-stop-daemon|daemonize|redis-server|nginx|httpd|apachectl|mysqld|pg_ctl|"
                      r"gunicorn|uvicorn|flask\s+run|http\.server)\b|(?<![&|])&\s*$")  # fmt: skip


def _service_start(solve_sh: Path) -> str | None:
    """The first line of a reference solution that leaves a process running (a service, a
    backgrounded command), or None."""
    try:
        text = solve_sh.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        code = line.split("#", 1)[0].rstrip()
        if code and _SERVICE.search(code):
            return code.strip()[:80]
    return None


def _entrypoint_service(env_dir: Path) -> str | None:
    """A service the image's ENTRYPOINT / CMD starts (in the instruction itself or in a script of the
    build context it names), which runs before the agent and which the verifier may check."""
    try:
        dockerfile = (env_dir / "Dockerfile").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for m in re.finditer(r"^\s*(?:ENTRYPOINT|CMD)\s+(.+)$", dockerfile, re.MULTILINE | re.IGNORECASE):
        line = m.group(1)
        if hit := _SERVICE.search(line.replace('"', " ").replace(",", " ")):
            return hit.group(0).strip() or line.strip()[:80]
        for name in re.findall(r"[\w./-]+", line):
            script = env_dir / Path(name).name
            if Path(name).name and script.is_file() and script.stat().st_size <= 1 << 20:
                if hit := _service_start(script):
                    return hit
    return None


def _compose_note(tid: str, env_dir: Path) -> list[Note]:
    """Sidecar containers of environment/docker-compose.yaml that arena does not start."""
    import yaml

    p = next((env_dir / n for n in ("docker-compose.yaml", "docker-compose.yml") if (env_dir / n).is_file()), None)
    if p is None or not (env_dir / "Dockerfile").is_file():
        return []
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        doc = {}
    services = [str(k) for k in ((doc.get("services") if isinstance(doc, dict) else None) or {}) if k != "main"]
    if not services:
        return []
    return [Note(tid, f"environment/{p.name}", f"declares other containers ({', '.join(services)}) that arena does not "
                                               "start: arena builds environment/Dockerfile only, so a task that talks "
                                               "to them cannot pass here (validate says which host was unreachable)")]  # fmt: skip


def _verifier_notes(tid: str, test_sh: Path) -> list[Note]:
    """What an imported verifier needs at verify time that an offline sandbox may not give it:
    downloads (Harbor's canonical test.sh installs curl and uv and runs pytest through uvx).  Named
    rewards without a ``reward`` (Harbor's multi-reward files) get ``verifier.reward_key`` at import."""
    from arena.checks import downloads

    if not test_sh.is_file():
        return []
    text = test_sh.read_text(encoding="utf-8", errors="replace")
    out = []
    tools = list(dict.fromkeys(tool for _line, tool in downloads(text)))
    if not tools:
        return out
    wanted = sorted({re.split(r"[=<>~!@\[ ]", w)[0].lower() for w in re.findall(r"--with[= ]+([^\s\\]+)", text)})
    extra = [w for w in wanted if w not in ("pytest", "pytest-json-ctrf")]
    if not {"uv", "uvx"} & set(tools) or not set(tools) <= {"uv", "uvx", "curl", "apt-get install"}:
        out.append(Note(tid, "tests/test.sh", f"downloads when it runs ({', '.join(tools)}): without network (arena's "
                                              "default, and hosts a sandbox cannot reach) that step fails; install "
                                              "what it fetches in environment/Dockerfile or set "
                                              "environment.allow_internet where a network exists"))  # fmt: skip
    elif not extra:
        out.append(Note(tid, "tests/test.sh", f"downloads when it runs ({', '.join(tools)}): offline the download "
                                              "fails and arena's uv/uvx stand-in (arena.uvshim) runs "
                                              f"{' + '.join(wanted) or 'the tool'} from the image (arena's base image "
                                              "has pytest 8.4.1 + pytest-json-ctrf 0.3.5)", "info"))  # fmt: skip
    else:
        out.append(Note(tid, "tests/test.sh", f"downloads when it runs ({', '.join(tools)}; packages "
                                              f"{', '.join(extra)}): offline arena's uv/uvx stand-in runs only what the "
                                              "image has installed; install them in environment/Dockerfile or run "
                                              "where the internet is reachable"))  # fmt: skip
    return out


def _named_rewards(test_sh: Path) -> str | None:
    """``reward.json`` / ``rewards.json`` when a verifier writes named rewards and no reward.txt."""
    try:
        text = test_sh.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    named = re.search(r"rewards?\.json", text)
    return named.group(0) if named and "reward.txt" not in text else None
