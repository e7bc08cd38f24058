"""The organizers' CI verdict (arena.organizer_ci), the compatible scripts' exit codes, category
spellings and the default image aliases — on planted broken copies of a valid package/entry whose
shape follows the public 60-task entry (flat answer tasks, FROM python:<patch>-slim-bookworm,
industrial-and-energy-operations style categories)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from arena import domains, imagealias, organizer_ci
from arena.checks import check_task
from arena.corpus import check_paths
from tests.conftest import write_task

REPO = Path(__file__).resolve().parent.parent
PUBLIC_STYLE_CATEGORIES = (
    "industrial-and-energy-operations", "finance-and-economics", "office-and-knowledge-work",
    "media-and-multimodal-content", "ai-ml-and-agentic-systems", "software-engineering",
)  # fmt: skip


def script(*args):
    env = {**os.environ, "ARENA_RUNTIME": "local"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=120)


def public_style_entry(root: Path, n: int = 6) -> Path:
    entry = root / "submissions" / "team-pub"
    (entry / "envs").mkdir(parents=True)
    (entry / "submission.yaml").write_text("team_name: team-pub\ncontact_email: t@example.org\ntrack: environments\n")
    for i in range(n):
        t = write_task(entry / "envs" / f"task-{i}", category=PUBLIC_STYLE_CATEGORIES[i % len(PUBLIC_STYLE_CATEGORIES)],
                       prompt=f"Task {i}: add the numbers in /root/numbers.txt and write the sum to /root/answer.txt.")  # fmt: skip
        (t / "environment" / "Dockerfile").write_text(
            "FROM python:3.12.10-slim-bookworm\nRUN pip install --no-cache-dir pytest==8.4.1\nWORKDIR /root\n"
            "COPY numbers.txt /root/numbers.txt\n"
        )
    return entry


@pytest.mark.parametrize("spelling,domain", [
    ("industrial-and-energy-operations", "industrial-energy"), ("Industrial & Energy Operations", "industrial-energy"),
    ("industrial_and_energy_operations", "industrial-energy"), ("INDUSTRIAL-ENERGY", "industrial-energy"),
    ("AI/ML & Agentic Systems", "ai-ml-agentic"), ("ai_ml_agentic", "ai-ml-agentic"),
    ("Media and Multimodal Content", "media-multimodal"), ("finance_&_economics", "finance-economics"),
    ("Office & Knowledge Work", "office-knowledge-work"), ("natural-science", "sciences"),
    ("office-white-collar", "office-knowledge-work"), ("Software Engineering", "software-engineering"),
    ("cyber_security", "cybersecurity"), ("mathematics-or-formal-reasoning", "sciences"),
])  # fmt: skip
def test_every_spelling_of_a_domain_resolves(spelling, domain):
    assert domains.resolve(spelling).id == domain


def test_display_names_and_ids_of_all_eight_resolve_in_every_case_and_separator():
    for d in domains.DOMAINS:
        for spelling in (d.id, d.name):
            for variant in (spelling, spelling.upper(), spelling.replace("-", "_"), spelling.replace(" ", "_"),
                            spelling.replace("&", "and").replace(" ", "-").lower()):  # fmt: skip
                assert domains.resolve(variant) is d, variant


def test_suggestions_only_when_really_close():
    assert domains.suggest("data_processing_and_etl") is None
    assert domains.suggest("unknown") is None and domains.suggest("astrology") is None
    assert domains.suggest("cybersecurty") == "cybersecurity"
    assert domains.suggest("cybersec") == "cybersecurity"
    assert domains.suggest("sofware-engineering") == "software-engineering"
    _, f = check_task(write_task(Path(os.environ.get("TMPDIR", "/tmp")) / f"etl-{os.getpid()}",
                                 category="data_processing_and_etl"))  # fmt: skip
    cat = [x for x in f if x.rule == "metadata.category"]
    assert cat and "none of the eight domains" in cat[0].fix and "media-multimodal'?" not in cat[0].fix


def test_planted_copies_get_the_organizers_verdict(tmp_path):
    good = write_task(tmp_path / "good")
    assert organizer_ci.task_issues(good) == []
    plants = {
        "verifier/test_outputs.py": "missing required file verifier/test_outputs.py",
        "verifier/verifier.md": "missing required file verifier/verifier.md",
        "verifier/rubrics": "missing required folder verifier/rubrics/",
        "oracle/solve.sh": "missing required file oracle/solve.sh",
        "verifier/test.sh": "missing required file verifier/test.sh",
    }
    for rel, issue in plants.items():
        bad = tmp_path / rel.replace("/", "-")
        shutil.copytree(good, bad)
        target = bad / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        assert organizer_ci.task_issues(bad) == [issue], rel
        p = script("scripts/check_task.py", str(bad))
        assert p.returncode == 1 and issue in p.stdout, rel
    empty_rubrics = tmp_path / "txt-rubric"
    shutil.copytree(good, empty_rubrics)
    (empty_rubrics / "verifier/rubrics/sum.md").rename(empty_rubrics / "verifier/rubrics/sum.txt")
    assert organizer_ci.task_issues(empty_rubrics) == ["verifier/rubrics/ holds no *.md rubric"]
    arg_first = write_task(tmp_path / "arg-first", dockerfile="ARG B=python:3.12\nFROM $B\nWORKDIR /root\n")
    assert "first instruction is not FROM" in organizer_ci.task_issues(arg_first)[0]
    assert not any(f.rule == "dockerfile.first-instruction" for f in check_task(arg_first)[1])  # arena accepts it
    no_author = write_task(tmp_path / "no-author")
    md = no_author / "task.md"
    md.write_text("\n".join(ln for ln in md.read_text().splitlines() if "author_email" not in ln) + "\n")
    assert organizer_ci.task_issues(no_author) == ["task.md has no metadata.author_email"]


def test_check_task_exit_code_is_the_organizers(tmp_path):
    good = write_task(tmp_path / "good")
    astro = write_task(tmp_path / "astro", category="astrology")  # their CI does not read category values
    p = script("scripts/check_task.py", str(good), str(astro))
    assert p.returncode == 0 and "metadata.category" in p.stdout  # arena's error is shown, not gating
    assert script("scripts/check_task.py", str(tmp_path / "nothing-here")).returncode == 1
    (good / "verifier" / "verifier.md").unlink()
    p = script("scripts/check_task.py", str(tmp_path))  # a folder of packages, one level down
    assert p.returncode == 1 and "✗ good" in p.stdout and "✓ astro" in p.stdout


def test_public_style_entry_passes_both_checkers_and_arena_check(tmp_path):
    entry = public_style_entry(tmp_path)
    root = entry.parent
    p = script("scripts/check_submission.py", str(root))
    assert p.returncode == 0, p.stdout
    rep = check_paths([str(root)])
    assert not rep.has_errors, [f.render() for f in rep.findings if f.severity == "error"]
    assert {t.domain for t in rep.tasks} >= {"industrial-energy", "ai-ml-agentic", "media-multimodal"}
    assert any(f.rule == "dockerfile.image-alias" and "Python 3.11, not 3.12" in f.message for f in rep.findings)
    # planted: one package loses its rubric -> their CI rejects the entry, arena check only warns
    shutil.rmtree(entry / "envs" / "task-2" / "verifier" / "rubrics")
    p = script("scripts/check_submission.py", str(root))
    assert p.returncode == 1 and "envs/task-2: missing required folder verifier/rubrics/" in p.stdout
    assert not check_paths([str(root)]).has_errors
    c = subprocess.run([sys.executable, "-c", "import sys; from arena.cli.main import main; sys.exit(main())",
                        "check", str(root), "-q"], capture_output=True, text=True, cwd=REPO, timeout=120)  # fmt: skip
    assert c.returncode == 0 and "organizers' CI: would REJECT 1 of 1" in c.stdout, c.stdout[-600:] + c.stderr
    # planted: a bad manifest
    (entry / "submission.yaml").write_text("team_name: team-pub\ntrack: environment\n")
    v = organizer_ci.check_submissions(root)
    assert v.exit_code == 1 and any("contact_email" in i for i in v.issues[str(entry)])
    assert any("track 'environment'" in i for i in v.issues[str(entry)])


def test_submission_root_edge_cases(tmp_path):
    assert script("scripts/check_submission.py", str(tmp_path / "none")).returncode == 0
    (tmp_path / "subs" / "_scratch").mkdir(parents=True)
    assert script("scripts/check_submission.py", str(tmp_path / "subs")).returncode == 0
    entry = tmp_path / "subs" / "big"
    (entry / "envs").mkdir(parents=True)
    (entry / "submission.yaml").write_text("team_name: B\ncontact_email: b@x.org  # c\ntrack: 'environments'\n")
    assert organizer_ci.entry_issues(entry)[0] == ["track 'environments' but no package under envs/"]


def test_default_aliases_cover_public_images_and_say_what_stands_in():
    a = imagealias.load_aliases({})
    for ref in ("python:3.12.10-slim-bookworm", "python@sha256:" + "a" * 64, "docker.io/library/ubuntu:24.04",
                "debian:trixie-slim", "python:3.13-alpine", "ubuntu", "python:3.11-slim@sha256:" + "b" * 64):  # fmt: skip
        assert a.lookup(ref) == imagealias.BASE_TAG, ref
    assert a.lookup("team/private:1") is None and a.lookup("ghcr.io/x/python:3") is None
    rw = imagealias.rewrite_from("FROM ubuntu:24.04\n", a, is_local=lambda ref: False)
    note = rw.substitutions[0].note()
    assert "ubuntu:24.04 -> arena-base:py3.11" in note and "not Ubuntu" in note
    assert "Python 3.11, not 3.12" in imagealias.stands_in("python:3.12.10-slim-bookworm", imagealias.BASE_TAG)


def test_alias_overrides_globs_exact_and_null(tmp_path, monkeypatch):
    f = tmp_path / "aliases.yaml"
    f.write_text("'ubuntu:*': my/ubuntu:24.04\npython:3.12.10-slim-bookworm: my/py:3.12\n'debian:*': null\n")
    monkeypatch.setenv(imagealias.ENV_VAR, str(f))
    a = imagealias.load_aliases({"ubuntu:20.04": None})
    assert a.lookup("ubuntu:22.04") == "my/ubuntu:24.04" and a.lookup("ubuntu:20.04") is None
    assert a.lookup("python:3.12.10-slim-bookworm") == "my/py:3.12" and a.lookup("python:3.12") == imagealias.BASE_TAG
    assert a.lookup("debian:12") is None
    assert imagealias.stands_in("ubuntu:22.04", "my/ubuntu:24.04") == "an alias from the alias file"


def test_check_task_without_arguments_checks_every_bundled_package():
    p = script("scripts/check_task.py")
    assert p.returncode == 1  # hasty's planted structural defects fail the organizers' rules too
    assert "✗ action-items-train-s400-0002" in p.stdout and "first instruction is not FROM" in p.stdout
    assert p.stdout.count("✓") >= 400 and "no task directories found" not in p.stdout
