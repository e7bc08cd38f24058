"""The carry rule (arena.sandbox.carry): which of the agent's changes the verifier's fresh machine
gets, path by path, with the reason for each one it does not."""

import stat

import pytest

from arena.sandbox.carry import HOOK, CarryRule, View, rule_for
from arena.task import load_task

REG, EXE, DIR = stat.S_IFREG | 0o644, stat.S_IFREG | 0o755, stat.S_IFDIR | 0o755


@pytest.mark.parametrize("path,mode", [
    ("/root/answer.txt", REG), ("/root/sub/dir", DIR), ("/tmp/out.csv", REG), ("/app/main.py", REG),
    ("/app/run.sh", EXE),  # the workspace's own scripts are the agent's work
    ("/etc/nginx/nginx.conf", REG), ("/opt/app/data.json", REG), ("/var/log/app.log", REG),
    ("/logs/agent/trace.txt", REG), ("/root/.git/HEAD", REG), ("/home/u/report.md", REG),
    ("/app/.venv/lib/python3.11/site-packages/x.py", REG),  # inside the workspace
])
def test_the_agents_work_is_carried(path, mode):
    assert CarryRule(workspace="/app").decide(path, mode) is None


@pytest.mark.parametrize("path,mode,why", [
    ("/usr/bin/python3", EXE, "system tree"), ("/bin/bash", EXE, "system tree"), ("/lib/x86_64/libc.so.6", REG, "system tree"),
    ("/usr/local/lib/python3.11/site-packages/pytest.py", REG, "system tree"),
    ("/etc/ld.so.preload", REG, "/etc"), ("/etc/alternatives/python3", REG, "/etc"), ("/etc/passwd", REG, "/etc"),
    ("/etc/python3.11/sitecustomize.py", REG, HOOK), ("/etc/profile.d/x.sh", REG, "/etc"), ("/etc/bash.bashrc", REG, "/etc"),
    ("/root/.bashrc", REG, "home"), ("/root/.local/lib/python3.11/site-packages/a.py", REG, "home"),
    ("/home/u/.profile", REG, "home"), ("/root/.gitconfig", REG, "home"),
    ("/opt/venv/bin/python", EXE, "executable"), ("/opt/lib/libfake.so.1", REG, "shared library"),
    ("/opt/venv/lib/python3.11/site-packages/pytest/__init__.py", REG, "installed Python packages"),
    ("/root/conftest.py", REG, HOOK), ("/tmp/x.pth", REG, HOOK), ("/pytest.ini", REG, HOOK),
    ("/root/answer.txt", stat.S_IFIFO | 0o644, "special file"), ("/logs/verifier/reward.txt", REG, "verifier"),
])
def test_what_could_change_the_verifiers_tools_is_not(path, mode, why):
    got = CarryRule(workspace="/app").decide(path, mode)
    assert got is not None and why in got, (path, got)


def test_workspace_under_a_system_tree_and_home_config_in_a_home_workspace():
    assert CarryRule(workspace="/usr/src/app").decide("/usr/src/app/main.py", REG) is None
    assert CarryRule(workspace="/root").decide("/root/.bashrc", REG) is not None  # config even there


def test_declared_outputs_override_and_deletions_follow_the_rule():
    rule = CarryRule(workspace="/root", outputs=("/usr/local/bin/backup.sh", "/etc/ld.so.conf.d"))
    assert rule.decide("/usr/local/bin/backup.sh", EXE) is None
    assert rule.decide("/etc/ld.so.conf.d/app.conf", REG) is None
    assert rule.decide("/usr/local/bin/other", EXE) is not None
    assert rule.decide("/usr/bin/python3") is not None and rule.decide("/root/data.txt") is None  # deletions: no mode


def test_view_keeps_counts_and_the_first_reasons():
    v = View()
    for i in range(30):
        v.drop(f"/usr/x{i}", "system tree")
    v.drop("/root/conftest.py", HOOK)
    d = v.to_dict()
    assert d["dropped_count"] == 31 and len(d["dropped"]) == 20 and v.hooks == ["/root/conftest.py"]


def test_verifier_outputs_in_task_md(make_task, tmp_path):
    task = load_task(make_task("outs", verifier_extra="  outputs: [/etc/app.conf, /usr/local/bin/tool]\n"))[0]
    assert task is not None
    assert rule_for(task, "/root").outputs == ("/etc/app.conf", "/usr/local/bin/tool")
    bad, findings = load_task(make_task("outs-bad", verifier_extra="  outputs: [relative/path]\n"))
    assert bad is None and any("outputs" in f.message and "absolute" in f.message for f in findings), findings
