"""What the organizers' packages expect of the sandbox beyond the task format.

- A package's environment/skills/ (the skills track: SKILL.md packages with scripts) is visible
  read-only at /skills in every sandbox of its task, named by $BENCHFLOW_SKILLS_DIR, on both
  runtimes: the starting kit's skillsbench examples import their skill's script from there.
- $BENCHFLOW_SKIP_VERIFIER_DEPS=1 wherever the image already has the shim's verifier tools."""

import pytest

from arena.agents.base import ScriptAgent
from arena.task import load_task
from arena.trial import benchflow_env, run_trial

RUNTIMES = [pytest.param("local", marks=pytest.mark.bwrap), pytest.param("docker", marks=pytest.mark.docker)]


@pytest.mark.parametrize("rt", RUNTIMES)
def test_skills_are_visible_read_only_at_skills(rt, make_task, tmp_path, request):
    runtime = request.getfixturevalue(f"{rt}_runtime")
    root = make_task("with-skills")
    scripts = root / "environment" / "skills" / "summer" / "scripts"
    scripts.mkdir(parents=True)
    (scripts.parent / "SKILL.md").write_text("# summer\nSums numbers.\n")
    (scripts / "summer.py").write_text("def total(xs):\n    return sum(xs)\n")
    task = load_task(root)[0]
    assert benchflow_env(task, "/root")["BENCHFLOW_SKILLS_DIR"] == "/skills"
    agent = ScriptAgent(
        'cd /root && PYTHONPATH="$BENCHFLOW_SKILLS_DIR/summer/scripts" python3 -c "from summer import total; '
        "print(total(int(x) for x in open('/root/numbers.txt').read().split()))\" > answer.txt; "
        "echo x >> /skills/summer/SKILL.md 2>/dev/null; true", name="skilled")  # fmt: skip
    res = run_trial(task, agent, runtime, log_dir=tmp_path / "t")
    assert (res.status, res.reward) == ("ok", 1.0), res.reason
    assert (root / "environment" / "skills" / "summer" / "SKILL.md").read_text() == "# summer\nSums numbers.\n"
    plain = load_task(make_task("no-skills"))[0]
    assert "BENCHFLOW_SKILLS_DIR" not in benchflow_env(plain, "/root")


def test_a_verifiers_dependency_step_is_skipped_where_the_image_has_the_tools(make_task, local_runtime):
    """The organizers' shim installs uv and runs `uvx --with pytest==8.4.1 --with pytest-json-ctrf`
    unless $BENCHFLOW_SKIP_VERIFIER_DEPS=1. Offline that step cannot work; where the image ships the
    tools (arena's base image, the local runtime's interpreter) it is not needed even with internet."""
    online = load_task(make_task("online", allow_internet=True))[0]
    assert benchflow_env(online, "/root")["BENCHFLOW_SKIP_VERIFIER_DEPS"] == "0"
    assert benchflow_env(online, "/root", verifier_tools=True)["BENCHFLOW_SKIP_VERIFIER_DEPS"] == "1"
    offline = load_task(make_task("offline"))[0]
    assert benchflow_env(offline, "/root")["BENCHFLOW_SKIP_VERIFIER_DEPS"] == "1"
    assert local_runtime.prepare(online).verifier_tools is True
    import importlib.util

    assert importlib.util.find_spec("pytest") and importlib.util.find_spec("ctrf")  # what the shim runs


@pytest.mark.docker
def test_images_on_arena_base_carry_the_verifier_tools(make_task, docker_runtime):
    task = load_task(make_task("on-base"))[0]
    assert docker_runtime.prepare(task).verifier_tools is True
