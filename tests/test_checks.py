"""Every static rule, each with a small package built in tmp_path that breaks it."""

import json
import os
import time

import pytest

from arena.checks import check_task
from arena.cli.main import main
from arena.corpus import check_paths
from tests.conftest import write_task


def rules(path, severity=None):
    _, f = check_task(path)
    return {x.rule for x in f if severity is None or x.severity == severity}


def test_valid_package_has_no_findings(make_task):
    _, f = check_task(make_task())
    assert f == []


@pytest.mark.parametrize("rel", ["environment/Dockerfile", "verifier/test.sh", "oracle/solve.sh"])
def test_missing_required_file(make_task, rel):
    root = make_task()
    (root / rel).unlink()
    assert "structure.missing-file" in rules(root, "error")


def test_missing_task_md(make_task):
    root = make_task()
    (root / "task.md").unlink()
    assert "structure.missing-file" in rules(root, "error")


@pytest.mark.parametrize("rel", ["verifier/test_outputs.py", "verifier/verifier.md", "verifier/rubrics/sum.md"])
def test_organizer_extras_are_warnings(make_task, rel):
    root = make_task()
    (root / rel).unlink()
    assert rules(root) == {"structure.organizer-file"}
    assert "structure.organizer-file" in rules(root, "warning")


def test_dockerfile_first_instruction(make_task):
    assert "dockerfile.first-instruction" in rules(make_task(dockerfile="RUN echo hi\nFROM x\n"), "error")
    ok = make_task(dockerfile="# comment\nARG BASE=arena-base:py3.11\nFROM $BASE\nWORKDIR /root\n")
    assert "dockerfile.first-instruction" not in rules(ok)


def test_unknown_category_suggests_closest(make_task, tmp_path):
    # a loose package (e.g. an imported Harbor task) still validates: a warning (changed on purpose,
    # issue 15); inside a team entry the category decides the domain it counts for: an error
    _, f = check_task(make_task(category="cybersecurty"))
    cat = [x for x in f if x.rule == "metadata.category"]
    assert cat and cat[0].severity == "warning" and "cybersecurity" in cat[0].fix
    entry = tmp_path / "entry"
    (entry / "envs").mkdir(parents=True)
    (entry / "submission.yaml").write_text("team_name: T\ncontact_email: t@example.org\ntrack: environments\n")
    _, f = check_task(write_task(entry / "envs" / "t1", category="cybersecurty"))
    cat = [x for x in f if x.rule == "metadata.category"]
    assert cat and cat[0].severity == "error" and "cybersecurity" in cat[0].fix


def test_alias_category_is_fine(make_task):
    assert "metadata.category" not in rules(make_task(category="office-white-collar"))


def test_empty_and_missing_prompt(make_task):
    assert "prompt.empty" in rules(make_task(body="\n## prompt\n\n   \n"), "error")
    assert "prompt.missing" in rules(make_task(body="\n## instructions\nDo it.\n"), "error")


def test_symlink_leaving_the_package(make_task, tmp_path):
    root = make_task()
    os.symlink("/etc/passwd", root / "environment" / "passwd")
    os.symlink("numbers.txt", root / "environment" / "inside-link")  # stays inside: fine
    _, f = check_task(root)
    esc = [x for x in f if x.rule == "package.symlink-escape"]
    assert len(esc) == 1 and "passwd" in esc[0].path


def test_oversized_file(make_task):
    root = make_task()
    with open(root / "environment" / "big.bin", "wb") as fh:
        fh.truncate(25 * 1024 * 1024)  # sparse: costs no disk
    assert "package.file-too-large" in rules(root, "error")


def test_oracle_copied_into_environment_is_a_leak(make_task):
    root = make_task()
    (root / "environment" / "helper.sh").write_bytes((root / "oracle" / "solve.sh").read_bytes())
    assert "leak.oracle-in-environment" in rules(root, "error")


def test_verifier_code_in_environment_is_a_leak_but_seed_data_is_not(make_task):
    root = make_task()
    # numbers.txt is also in verifier/data/ (the verifier's pristine copy): not a leak
    assert not any(r.startswith("leak.") for r in rules(root))
    (root / "environment" / "v.py").write_bytes((root / "verifier" / "verify.py").read_bytes())
    assert "leak.verifier-in-environment" in rules(root, "error")


def test_copy_of_oracle_in_dockerfile(make_task):
    df = "FROM arena-base:py3.11\nCOPY ../oracle/solve.sh /root/\nCOPY oracle/ /opt/o\n"
    r = rules(make_task(dockerfile=df), "error")
    assert {"leak.copy-outside-context", "leak.copy-solution"} <= r


def test_verifier_downloading_without_internet(make_task):
    sh = "#!/bin/bash\npip install requests\npython3 /verifier/verify.py\n"
    assert "verifier.downloads" in rules(make_task(test_sh=sh), "warning")
    assert "verifier.downloads" not in rules(make_task(test_sh=sh, allow_internet="true"))


def test_non_utf8_and_binary_task_md(make_task):
    a = make_task()
    (a / "task.md").write_bytes(b"---\nversion: '1.0'\nmetadata:\n  author_name: \xff\xfe\n---\n## prompt\nx\n")
    assert "task-md.encoding" in rules(a, "error")
    b = make_task()
    (b / "task.md").write_bytes(b"---\x00\x01binary")
    assert "task-md.binary" in rules(b, "error")


def test_yaml_bomb_is_refused_quickly(make_task):
    root = make_task()
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    (root / "task.md").write_text(f"---\n{bomb}---\n## prompt\nx\n")
    t0 = time.perf_counter()
    r = rules(root, "error")
    assert "task-md.yaml-alias" in r
    assert time.perf_counter() - t0 < 2


def test_list_instead_of_mapping(make_task):
    root = make_task()
    (root / "task.md").write_text("---\n- version\n- metadata\n---\n## prompt\nx\n")
    assert "task-md.frontmatter-type" in rules(root, "error")
    root2 = make_task()
    text = (root2 / "task.md").read_text().replace(
        "agent:\n  timeout_sec: 20\n  answer_file: /root/answer.txt\n", "agent: [1, 2]\n"
    )
    (root2 / "task.md").write_text(text)
    assert "frontmatter.type" in rules(root2, "error")


def test_huge_task_md_is_a_finding_not_a_hang(make_task):
    root = make_task()
    with open(root / "task.md", "wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    t0 = time.perf_counter()
    assert "task-md.too-large" in rules(root, "error")
    assert time.perf_counter() - t0 < 2


def test_invalid_yaml_names_the_line(make_task):
    root = make_task()
    (root / "task.md").write_text("---\nversion: '1.0'\nmetadata: {author_name: [unclosed\n---\n## prompt\nx\n")
    _, f = check_task(root)
    y = [x for x in f if x.rule == "task-md.yaml"]
    assert y and "line" in y[0].message


def test_no_frontmatter(make_task):
    root = make_task()
    (root / "task.md").write_text("## prompt\nno frontmatter here\n")
    assert "task-md.frontmatter" in rules(root, "error")


# --- team entries -----------------------------------------------------------------------


def make_entry(tmp_path, n, *, manifest="team_name: Blue\ncontact_email: blue@example.org\ntrack: environments\n"):
    entry = tmp_path / "submissions" / "blue"
    (entry / "envs").mkdir(parents=True)
    if manifest is not None:
        (entry / "submission.yaml").write_text(manifest)
    for i in range(n):
        write_task(entry / "envs" / f"t{i:03d}", prompt=f"Task number {i}: add the numbers.")
    return entry


def entry_rules(path):
    return {(f.rule, f.severity) for f in check_paths([str(path)]).findings}


def test_entry_below_minimum_is_a_warning(tmp_path):
    r = entry_rules(make_entry(tmp_path, 3))
    assert ("entry.count-below-min", "warning") in r
    assert not any(sev == "error" for _, sev in r)


def test_entry_above_maximum_is_an_error(tmp_path):
    r = entry_rules(make_entry(tmp_path, 201))
    assert ("entry.count-above-max", "error") in r


def test_entry_manifest_missing_and_bad_track(tmp_path):
    assert ("entry.manifest-missing", "error") in entry_rules(make_entry(tmp_path / "a", 1, manifest=None))
    bad = "team_name: Blue\ncontact_email: b@example.org\ntrack: vibes\n"
    assert ("entry.track", "error") in entry_rules(make_entry(tmp_path / "b", 1, manifest=bad))
    assert ("entry.manifest-invalid", "error") in entry_rules(make_entry(tmp_path / "c", 1, manifest="- a\n- b\n"))


def test_underscore_folders_are_ignored_and_duplicates_caught(tmp_path):
    entry = make_entry(tmp_path, 2)
    write_task(entry / "envs" / "_scratch", category="nonsense")
    rep = check_paths([str(entry.parent)])
    assert len(rep.tasks) == 2 and not any(f.rule == "metadata.category" for f in rep.findings)
    import shutil

    shutil.copytree(entry / "envs" / "t000", entry / "envs" / "t000-copy")
    assert any(f.rule == "entry.duplicate-task" for f in check_paths([str(entry)]).findings)


# --- the command -------------------------------------------------------------------------


def test_cli_exit_codes_and_json(make_task, capsys):
    good = make_task()
    assert main(["check", str(good)]) == 0
    bad = make_task(body="\n## instructions\nDo it.\n")  # no prompt (a loose task's bad category is a warning now)
    capsys.readouterr()
    assert main(["check", str(good), str(bad), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["errors"] >= 1
    f = doc["findings"][0]
    assert set(f) == {"path", "rule", "severity", "message", "fix"}
    with pytest.raises(SystemExit) as e:
        main(["check"])
    assert e.value.code == 2


def test_cli_missing_path(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert "no such file" in capsys.readouterr().out


def test_arena_check_stays_on_the_light_path(make_task):
    """`arena check` (and building the CLI at all) imports none of the heavy or analysis
    libraries: it must run where only the core package is installed, as scripts/run_local.sh
    and the organizers' checkers do."""
    import subprocess
    import sys

    task = make_task()
    code = (
        "import sys\n"
        "from arena.cli.main import main\n"
        f"rc = main(['check', {str(task)!r}])\n"
        "heavy = ['torch', 'trl', 'transformers', 'vllm', 'docker', 'ray', 'pandas', 'matplotlib']\n"
        "print(rc, sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []", out.stdout + out.stderr
