from arena import domains
from arena.task import load_task
from tests.conftest import write_task


def test_valid_package_loads_typed(make_task):
    t, f = load_task(make_task())
    assert t is not None and not [x for x in f if x.severity == "error"]
    assert t.domain == "sciences"
    assert t.spec.agent.answer_file == "/root/answer.txt"
    assert t.spec.environment.memory_mb == 512 and t.spec.environment.allow_internet is False
    assert "Add the numbers" in t.spec.prompt
    assert len(t.digest) == 64


def test_digest_changes_with_any_file(make_task):
    root = make_task()
    t1, _ = load_task(root)
    d1, e1 = t1.digest, t1.env_digest
    (root / "verifier" / "verify.py").write_text("print('changed')\n")
    t2, _ = load_task(root)
    assert d1 != t2.digest
    assert e1 == t2.env_digest  # environment/ unchanged: image cache still valid


def test_unknown_keys_warn_not_crash(make_task):
    t, f = load_task(make_task(extra_frontmatter="colour: blue\n"))
    assert t is not None
    assert any(x.rule == "frontmatter.unknown-key" and "colour" in x.message for x in f)


def test_benchflow_aliases_map_and_conflicts_warn(make_task):
    root = make_task(extra_frontmatter="schema_version: '1.0'\nsandbox:\n  network_mode: bridge\n  cpus: 2\n")
    t, f = load_task(root)
    assert t is not None
    # allow_internet: false (starting-kit) vs network_mode: bridge (BenchFlow) disagree -> warning, kit wins
    assert any(x.rule == "frontmatter.dialect-conflict" and "network_mode" in x.message for x in f)
    assert t.spec.environment.allow_internet is False
    assert t.spec.environment.cpus == 1  # cpus: 1 given too -> conflict, kit wins


def test_benchflow_only_dialect(tmp_path):
    root = write_task(tmp_path / "t")
    text = (root / "task.md").read_text()
    text = text.replace('version: "1.0"', "schema_version: '1.0'").replace("  allow_internet: false\n", "  network_mode: none\n")
    (root / "task.md").write_text(text)
    t, f = load_task(root)
    assert t is not None and t.spec.version == "1.0" and t.spec.environment.allow_internet is False
    assert not [x for x in f if x.rule == "frontmatter.dialect-conflict"]


def test_field_ranges_are_errors_with_location(make_task):
    t, f = load_task(make_task(agent_timeout=-5, memory_mb=4))
    assert t is None
    locs = " ".join(x.message for x in f if x.rule == "frontmatter.field")
    assert "agent.timeout_sec" in locs and "environment.memory_mb" in locs


def test_roles_and_scenes(make_task):
    body = "\n## prompt\nDo it.\n\n## role:analyst\nYou analyse.\n\n## scene:intro\nHello.\n\n## role:ghost\nBoo.\n"
    root = make_task(extra_frontmatter="roles: [analyst, reviewer]\nscenes:\n  - name: intro\n", body=body)
    t, f = load_task(root)
    assert t is not None
    assert t.spec.roles["analyst"] == "You analyse." and "intro" in t.spec.scenes
    assert any(x.rule == "body.missing-part" and "reviewer" in x.message for x in f)
    assert any(x.rule == "body.undeclared-part" and "ghost" in x.message for x in f)


def test_domains_registry():
    assert domains.resolve("natural-science").id == "sciences"
    assert domains.resolve("Office_White_Collar").id == "office-knowledge-work"
    assert domains.resolve("media-content-production").id == "media-multimodal"
    assert domains.resolve("ai-ml-and-agentic-systems").id == "ai-ml-agentic"
    assert domains.resolve("industrial-physical-systems").id == "industrial-energy"
    assert domains.resolve("astrology") is None
    assert domains.suggest("cybersecurty") == "cybersecurity"
    assert len(domains.DOMAIN_IDS) == 8


def test_a_repeated_frontmatter_key_is_a_finding_naming_the_key_and_both_lines(tmp_path):
    """YAML silently keeps the last of two `agent:` mappings; the package author must hear of it."""
    from arena.task import read_task_md

    md = tmp_path / "task.md"
    md.write_text('---\nversion: "1.0"\nagent:\n  timeout_sec: 10\nmetadata:\n  category: sciences\n'
                  '  tags: [a]\n  tags: [b]\nagent:\n  timeout_sec: 20\n---\n## prompt\nhi\n')  # fmt: skip
    data, _body, findings = read_task_md(md)
    assert data is None
    msgs = {f.rule: [] for f in findings}
    for f in findings:
        msgs[f.rule].append(f.message)
    assert set(msgs) == {"task-md.duplicate-key"}
    assert any("`agent`" in m and "lines 3 and 9" in m for m in msgs["task-md.duplicate-key"])
    assert any("`metadata.tags`" in m and "lines 7 and 8" in m for m in msgs["task-md.duplicate-key"])
    md.write_text('---\nversion: "1.0"\nagent:\n  timeout_sec: 10\n---\n## prompt\nhi\n')
    assert read_task_md(md)[2] == []
