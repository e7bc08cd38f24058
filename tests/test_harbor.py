"""arena.harbor + `arena export harbor` / `arena import harbor`.

What is equal after a round trip, precisely:
- export → import untouched: the whole package, byte for byte (tree digest equal);
- export → Harbor copy edited → import: the prompt (instruction.md), the limits (agent and
  verifier timeouts, build timeout, cpus, memory, storage, gpus, internet), category, difficulty,
  tags, and environment/, verifier/, oracle/ byte for byte; task.md is regenerated;
- foreign Harbor task → import → export: instruction, limits and Harbor-only settings (kept
  under metadata.harbor) come back in task.toml.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from arena.checks import check_task
from arena.cli.main import main
from arena.harbor import dump_toml, export_harbor, import_harbor
from arena.task import load_task, tree_digest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "environments" / "examples"
REFERENCE = REPO / "environments" / "reference"
LIMITS = ("build_timeout_sec", "cpus", "memory_mb", "storage_mb", "gpus", "allow_internet")


def _tasks(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "task.md").is_file())


def _limits(task) -> tuple:
    s = task.spec
    return (s.agent.timeout_sec, s.verifier.timeout_sec, *(getattr(s.environment, k) for k in LIMITS))


def test_bundled_tasks_round_trip_byte_for_byte(tmp_path):
    sample = _tasks(EXAMPLES) + _tasks(REFERENCE)[::10]  # every example (multi-turn ones too) + 8 reference tasks
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in sample:
        (corpus / p.name).symlink_to(p, target_is_directory=True)
    res, gate = export_harbor([corpus], tmp_path / "harbor")
    assert len(res.written) == len(sample) == len(_tasks(EXAMPLES)) + 8 and not gate.refused and res.ok
    for p in sample:
        h = tmp_path / "harbor" / p.name
        cfg = tomllib.loads((h / "task.toml").read_text())
        task, _ = load_task(p)
        # Harbor's types and folders
        assert (
            isinstance(cfg["environment"]["cpus"], int)
            and cfg["agent"]["timeout_sec"] == task.spec.agent.timeout_sec
        )
        assert cfg["metadata"]["category"] == task.spec.metadata.category
        assert (h / "instruction.md").read_text().strip() == task.spec.prompt.strip()
        assert (h / "tests" / "test.sh").is_file() and (h / "solution" / "solve.sh").is_file()
        assert tree_digest(h / "environment") == tree_digest(p / "environment")
        assert tree_digest(h / "tests") == tree_digest(p / "verifier")
    # every reference task has an answer file Harbor cannot express: reported, not dropped
    fields = {(n.task, n.field) for n in res.notes}
    assert ("action-items-train-s100-0000", "agent.answer_file") in fields
    assert all((n.task, "environment/Dockerfile") in fields for n in res.notes)  # arena-base FROM is flagged
    back = import_harbor(tmp_path / "harbor", tmp_path / "back")
    assert back.ok and sorted(back.lossless) == sorted(p.name for p in sample)
    for p in sample:
        assert tree_digest(tmp_path / "back" / p.name) == tree_digest(p), p.name


def test_edited_harbor_copy_keeps_prompt_limits_and_files(tmp_path):
    src = EXAMPLES / "waf-account-takeover"
    export_harbor([src], tmp_path / "h")
    h = tmp_path / "h" / src.name
    new_prompt = "Investigate the incident.\n\n## Inputs\n\nLogs are under /root/incident/."
    (h / "instruction.md").write_text(new_prompt + "\n")
    back = import_harbor(h, tmp_path / "back")
    assert back.ok and back.lossless == []
    why = {n.field: n.why for n in back.notes}
    assert "regenerated" in why["task.md"] and "level 3" in why["instruction.md"]
    orig, _ = load_task(src)
    got, findings = check_task(tmp_path / "back" / src.name)
    assert not [f for f in findings if f.severity == "error"], findings
    assert got.spec.prompt == new_prompt.replace("## Inputs", "### Inputs")  # not cut at the heading
    assert _limits(got) == _limits(orig)
    md_o, md_g = orig.spec.metadata, got.spec.metadata
    assert (md_g.category, md_g.difficulty, md_g.tags, md_g.subcategory) == (
        md_o.category,
        md_o.difficulty,
        md_o.tags,
        md_o.subcategory,
    )
    for sub in ("environment", "verifier", "oracle"):
        assert tree_digest(tmp_path / "back" / src.name / sub) == tree_digest(src / sub)


HARBOR_TOML = """\
version = "1.0"

[task]
name = "acme/hello-file"
description = "Write a greeting"
authors = [{ name = "Ada", email = "ada@example.org" }, { name = "Bob" }]
keywords = ["trivial", "files"]

[metadata]
difficulty = "unknown"
category = "programming"

[verifier]
timeout_sec = 120.0
env = { API_KEY = "sk-test" }

[environment]
memory = "4G"
network_mode = "allowlist"
allowed_hosts = ["pypi.org"]
"""


@pytest.fixture
def foreign(tmp_path):
    t = tmp_path / "harbor-src" / "hello-file"
    (t / "environment").mkdir(parents=True)
    (t / "tests").mkdir()
    (t / "solution").mkdir()
    (t / "task.toml").write_text(HARBOR_TOML)
    (t / "instruction.md").write_text("Create /app/hello.txt containing `Hello, world!`.\n")
    (t / "environment" / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\n")
    (t / "tests" / "test.sh").write_text("#!/bin/bash\ngrep -q 'Hello' /app/hello.txt && echo 1 > /logs/verifier/reward.txt "
                                         "|| echo 0 > /logs/verifier/reward.txt\n")  # fmt: skip
    (t / "solution" / "solve.sh").write_text("#!/bin/bash\necho 'Hello, world!' > /app/hello.txt\n")
    return t


def test_foreign_harbor_task_maps_defaults_and_reports_the_rest(foreign, tmp_path):
    res = import_harbor(foreign.parent, tmp_path / "arena")
    assert res.written == ["hello-file"] and res.lossless == []
    fields = {n.field for n in res.notes}
    assert {"verifier.env", "environment.allowed_hosts", "environment.network_mode", "agent.timeout_sec",
            "metadata.difficulty", "task.authors"} <= fields  # fmt: skip
    task, findings = check_task(tmp_path / "arena" / "hello-file")
    assert not [f for f in findings if f.severity == "error"], findings
    assert task.spec.metadata.harbor  # the Harbor-only settings, a known key: no unknown-key warning
    assert not [f for f in findings if f.rule == "frontmatter.unknown-key" and "harbor" in f.message], findings
    s = task.spec
    assert task.domain == "software-engineering" and s.metadata.author_email == "ada@example.org"
    assert s.metadata.tags == ["trivial", "files"] and s.metadata.difficulty == "medium"
    assert s.prompt == "Create /app/hello.txt containing `Hello, world!`."
    # Harbor's defaults, written explicitly (arena's own defaults differ)
    assert s.environment.allow_internet is True and s.verifier.timeout_sec == 120.0
    assert s.environment.memory_mb == 4096 and s.agent.timeout_sec == 900.0
    assert (tmp_path / "arena" / "hello-file" / "oracle" / "solve.sh").is_file()
    # and back to Harbor: the settings arena kept aside return to their sections
    export_harbor([tmp_path / "arena"], tmp_path / "again")
    cfg = tomllib.loads((tmp_path / "again" / "hello-file" / "task.toml").read_text())
    assert cfg["verifier"]["env"] == {"API_KEY": "sk-test"} and cfg["environment"]["allowed_hosts"] == [
        "pypi.org"
    ]
    assert cfg["task"]["name"] == "acme/hello-file" and cfg["metadata"]["difficulty"] == "unknown"


def test_unmappable_input_is_an_error_not_a_silent_drop(foreign, tmp_path, capsys):
    (foreign / "environment" / "Dockerfile").unlink()
    (foreign / "environment" / "docker-compose.yaml").write_text("services: {}\n")
    toml = HARBOR_TOML.replace('category = "programming"', 'category = "poetry"')
    (foreign / "task.toml").write_text(toml)
    code = main(["import", "harbor", str(foreign), "--out", str(tmp_path / "arena")])
    out = capsys.readouterr().out
    assert code == 1
    assert "environment/Dockerfile" in out and "docker-compose.yaml" in out and "metadata.category" in out


def test_arena_only_fields_are_reported_and_kept(make_task, tmp_path):
    t = make_task("multi", extra_frontmatter="roles: [buyer]\n",
                  body="\n## prompt\n\nNegotiate.\n\n## role: buyer\n\nYou buy.\n")  # fmt: skip
    text = (t / "task.md").read_text().replace("cpus: 1", "cpus: 0.5\n  base_image: arena-base:py3.11")
    (t / "task.md").write_text(text)
    res, gate = export_harbor([t], tmp_path / "h")
    assert not gate.refused
    notes = {n.field: n for n in res.notes}
    assert {
        "roles",
        "task.md body",
        "environment.cpus",
        "environment.base_image",
        "agent.answer_file",
    } <= set(notes)
    cfg = tomllib.loads((tmp_path / "h" / "multi" / "task.toml").read_text())
    assert cfg["environment"]["cpus"] == 1 and cfg["metadata"]["arena"]["cpus"] == 0.5
    back = import_harbor(tmp_path / "h", tmp_path / "back")
    assert back.lossless == ["multi"] and tree_digest(tmp_path / "back" / "multi") == tree_digest(t)


def test_toml_writer_round_trips_awkward_strings():
    nasty = 'quotes " and """ triple, back\\slash, tab\t, cr\r\n, del\x7f, bell\x07, unicode é ✓\n'
    doc = {"version": "1.0", "metadata": {"a": nasty, "b": "one line \"q\"", "n": 3, "x": 1.5, "ok": False,
                                          "l": ["a", "b\"c"], "arena": {"task_md": nasty}}}  # fmt: skip
    assert tomllib.loads(dump_toml(doc)) == doc


def test_a_hostile_stored_task_md_is_not_trusted(tmp_path):
    """A stored task.md with YAML aliases (a 'YAML bomb' shape) but otherwise consistent with
    task.toml is not written verbatim: the same guard as load_task applies."""
    src = EXAMPLES / "contact-list-merge"
    export_harbor([src], tmp_path / "h")
    toml_path = tmp_path / "h" / src.name / "task.toml"
    cfg = tomllib.loads(toml_path.read_text())
    md = cfg["metadata"]["arena"]["task_md"]
    cfg["metadata"]["arena"]["task_md"] = md.replace(
        "metadata:", "x: &bomb [1, 1]\ny: [*bomb, *bomb]\nmetadata:", 1
    )
    toml_path.write_text(dump_toml(cfg))
    back = import_harbor(tmp_path / "h", tmp_path / "back")
    assert back.lossless == [] and any(n.field == "task.md" and "regenerated" in n.why for n in back.notes)
    text = (tmp_path / "back" / src.name / "task.md").read_text()
    assert "&bomb" not in text and "*bomb" not in text
    task, _ = load_task(tmp_path / "back" / src.name)
    orig, _ = load_task(src)
    assert task.spec.prompt == orig.spec.prompt and _limits(task) == _limits(orig)


def test_harbor_category_mapped_by_domain_options_and_kept(foreign, tmp_path, capsys):
    toml = HARBOR_TOML.replace('category = "programming"', 'category = "data-processing"')
    (foreign / "task.toml").write_text(toml)
    res = import_harbor(foreign, tmp_path / "plain")
    note = next(n for n in res.notes if n.field == "metadata.category")
    assert note.severity == "warning" and "--domain" in note.why and "None" not in note.why
    task, findings = check_task(tmp_path / "plain" / "hello-file")  # a loose task: still runs
    cat = [f for f in findings if f.rule == "metadata.category"]
    assert cat and cat[0].severity == "warning"
    res = import_harbor(foreign, tmp_path / "mapped", domain_map={"Data_Processing": "office & knowledge work"},
                        domain="sciences")  # fmt: skip
    task, findings = check_task(tmp_path / "mapped" / "hello-file")
    assert task.domain == "office-knowledge-work" and task.spec.metadata.legacy_category == "data-processing"
    assert not [f for f in findings if f.severity in ("error", "warning") and f.rule.startswith(("metadata", "frontmatter.unknown-key")) and "category" in f.message]  # noqa: E501
    import_harbor(foreign, tmp_path / "default", domain="sciences")
    assert check_task(tmp_path / "default" / "hello-file")[0].domain == "sciences"
    assert main(["import", "harbor", str(foreign), "--out", str(tmp_path / "x"), "--domain", "astrology"]) == 2
    assert "none of the eight domains" in capsys.readouterr().err


def test_import_reports_harbor_mount_points_not_fooled_by_logs_verifier(foreign, tmp_path):
    # the canonical Harbor test.sh writes /logs/verifier/reward.txt and reads /tests/test_outputs.py
    (foreign / "tests" / "test.sh").write_text(
        "#!/bin/bash\nmkdir -p /logs/verifier\npytest /tests/test_outputs.py && echo 1 > /logs/verifier/reward.txt\n")
    (foreign / "solution" / "solve.sh").write_text("#!/bin/bash\nbash /solution/helper.sh\n")
    res = import_harbor(foreign, tmp_path / "a")
    by = {n.field: n.why for n in res.notes}
    assert "/tests (Harbor's mount point)" in by["tests/test.sh"] and "$BENCHFLOW_VERIFIER_DIR" in by["tests/test.sh"]
    assert "runs as written" in by["tests/test.sh"]
    assert "/solution (Harbor's mount point)" in by["solution/solve.sh"]
    assert "BENCHFLOW_ORACLE_DIR" in by["solution/solve.sh"] and "BENCHFLOW_VERIFIER_DIR" not in by["solution/solve.sh"]
    assert {n.severity for n in res.notes if n.field in ("tests/test.sh", "solution/solve.sh")} == {"info"}
    # a script that already reads arena's variable with Harbor's path as fallback is fine
    (foreign / "tests" / "test.sh").write_text('#!/bin/bash\nD="${BENCHFLOW_VERIFIER_DIR:-/tests}"\npytest "$D/t.py"\n')
    res = import_harbor(foreign, tmp_path / "b")
    assert "tests/test.sh" not in {n.field for n in res.notes}
    from arena.harbor import mentions_mount

    assert not mentions_mount("echo 1 > /logs/verifier/reward.txt  # see /verifier", "/verifier")
    assert mentions_mount('python3 "/verifier/check.py"', "/verifier")


def test_import_says_when_it_invents_a_placeholder_and_help_describes_import(foreign, tmp_path, capsys):
    toml = HARBOR_TOML.replace('authors = [{ name = "Ada", email = "ada@example.org" }, { name = "Bob" }]\n', "")
    toml = toml.replace('category = "programming"\n', "").replace('difficulty = "unknown"\n', "")
    (foreign / "task.toml").write_text(toml)
    res = import_harbor(foreign, tmp_path / "a")
    whys = {(n.field, n.why) for n in res.notes}
    assert ("metadata.author_name", "missing in task.toml: placeholder `unknown` written") in whys
    assert any(f == "metadata.category" and "placeholder `unknown`" in w for f, w in whys)
    assert not any("None" in n.why for n in res.notes), [n.why for n in res.notes]
    assert ("metadata.difficulty", "missing in task.toml: written as medium") in whys
    with pytest.raises(SystemExit):
        main(["import", "harbor", "--help"])
    out = capsys.readouterr().out
    assert "Import Harbor / Terminal-Bench task folders" in out and "--domain-map" in out


HARBOR_PYTHON = os.environ.get("ARENA_HARBOR_PYTHON")  # a Python >= 3.12 with `pip install harbor==0.25.0`


@pytest.mark.skipif(not HARBOR_PYTHON, reason="set ARENA_HARBOR_PYTHON to a Python >= 3.12 with the harbor package "
                                             "(harbor needs Python >= 3.12; arena's venv is 3.11)")  # fmt: skip
def test_export_is_loaded_by_harbors_own_task_loader(tmp_path):
    from arena.task import load_task

    ref = sorted(p for p in (REPO / "environments" / "reference").iterdir() if p.is_dir())[:4]
    export_harbor(ref, tmp_path / "hx")
    code = ("import json, sys; from pathlib import Path; from harbor.models.task.task import Task\n"
            "out = {}\n"
            "for d in sorted(Path(sys.argv[1]).iterdir()):\n"
            "    t = Task(d); out[d.name] = [t.name, t.config.verifier.timeout_sec, t.instruction]\n"
            "print(json.dumps(out))\n")  # fmt: skip
    p = subprocess.run([HARBOR_PYTHON, "-c", code, str(tmp_path / "hx")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert set(got) == {r.name for r in ref}
    for r in ref:
        task, _ = load_task(r)
        name, verifier_timeout, instruction = got[r.name]
        assert verifier_timeout == task.spec.verifier.timeout_sec
        assert instruction.strip() == task.spec.prompt.strip()


def test_import_reports_what_the_verifier_needs_offline(foreign, tmp_path):
    (foreign / "tests" / "test.sh").write_text(
        "#!/bin/bash\napt-get install -y curl\ncurl -LsSf https://astral.sh/uv/install.sh | sh\n"
        "uvx --with pytest==8.4.1 pytest /tests/test_outputs.py\n"
        "python3 -c 'import json; json.dump({\"accuracy\": 1, \"style\": 0.5}, open(\"/logs/verifier/reward.json\", \"w\"))'\n")
    res = import_harbor(foreign, tmp_path / "a")
    whys = [n.why for n in res.notes if n.field == "tests/test.sh"]
    assert any(w.startswith("downloads when it runs (") and "curl" in w and "uvx" in w for w in whys), whys
    named = {n.field: n for n in res.notes}["verifier.reward_key"]
    assert "named rewards" in named.why and "reward.json" in named.why and "`mean`" in named.why
    assert check_task(tmp_path / "a" / "hello-file")[0].spec.verifier.reward_key == "mean"
    (foreign / "tests" / "test.sh").write_text("#!/bin/bash\npytest -q /app/t.py && echo 1 > /logs/verifier/reward.txt\n")
    res = import_harbor(foreign, tmp_path / "b")
    assert not [n for n in res.notes if n.field == "tests/test.sh" and "downloads" in n.why]
    assert "verifier.reward_key" not in {n.field for n in res.notes}


@pytest.mark.parametrize("rt", [pytest.param("local", marks=pytest.mark.bwrap), pytest.param("docker", marks=pytest.mark.docker)])
def test_a_harbor_task_runs_as_written_with_tests_and_solution(rt, tmp_path, request):
    """Scripts written for Harbor's mount points (/tests, /solution) run unchanged: arena mounts
    the folders there too when the scripts use them (and only then)."""
    from arena.agents.base import NopAgent, OracleAgent
    from arena.harbor import mount_points
    from arena.task import load_task
    from arena.trial import run_trial
    from tests.conftest import write_task

    runtime = request.getfixturevalue(f"{rt}_runtime")
    root = write_task(tmp_path / "harbor-style",
                      test_sh="#!/bin/bash\npython3 /tests/verify.py\n",
                      solve_sh="#!/bin/bash\nbash /solution/helper.sh\n")  # fmt: skip
    (root / "oracle" / "helper.sh").write_text(
        "python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt\n")
    task = load_task(root)[0]
    assert set(mount_points(task, "verifier")) == {"/verifier", "/tests"}
    assert set(mount_points(task, "oracle")) == {"/oracle", "/solution"}
    good = run_trial(task, OracleAgent(), runtime, log_dir=tmp_path / "o")
    assert (good.status, good.reward) == ("ok", 1.0), good.reason
    bad = run_trial(task, NopAgent(), runtime, log_dir=tmp_path / "n")
    assert bad.status == "ok" and bad.reward < 1.0
    plain = load_task(write_task(tmp_path / "plain"))[0]
    assert set(mount_points(plain, "verifier")) == {"/verifier"} and set(mount_points(plain, "oracle")) == {"/oracle"}


def test_import_keeps_services_for_a_solution_that_starts_one(foreign, tmp_path):
    """A Harbor task whose end state is a running service (redis under supervisor, a server in the
    background) gets verifier.keep_services at import, with a note; one that only writes files not."""
    res = import_harbor(foreign.parent, tmp_path / "plain")
    assert "verifier.keep_services" not in {n.field for n in res.notes}
    assert check_task(tmp_path / "plain" / "hello-file")[0].spec.verifier.keep_services is False
    for i, line in enumerate(["supervisord -c /etc/supervisor/conf.d/redis.conf", "python3 -m http.server 8000 &",
                              "service nginx start"]):  # fmt: skip
        (foreign / "solution" / "solve.sh").write_text(f"#!/bin/bash\n# start it\n{line}\n")
        res = import_harbor(foreign.parent, tmp_path / f"svc{i}")
        note = {n.field: n for n in res.notes}["verifier.keep_services"]
        assert note.severity == "info" and "weaker isolation" in note.why and line[:20] in note.why
        assert check_task(tmp_path / f"svc{i}" / "hello-file")[0].spec.verifier.keep_services is True
    (foreign / "solution" / "solve.sh").write_text("#!/bin/bash\nmake && make test &&\n  echo done\n")
    res = import_harbor(foreign.parent, tmp_path / "andand")
    assert "verifier.keep_services" not in {n.field for n in res.notes}
