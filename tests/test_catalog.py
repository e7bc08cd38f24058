"""arena.catalog + `arena catalog`: the index, task pages with rendered prompts, the optional
validation / learnability / contamination columns, and the page driven in headless chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from arena.catalog import build_catalog, markdown
from arena.cli.main import main
from tests.browser_util import browser_page, visible_texts

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "environments" / "examples"
N_EXAMPLES = sum((p / "task.md").is_file() for p in EXAMPLES.iterdir())  # 8 single-turn + 2 multi-turn
REFERENCE = REPO / "environments" / "reference"


def test_markdown_subset_escapes_and_structures():
    html = markdown(
        "# Title\n\nRead `a<b>.txt` and **write** it.\n\n- one\n- two\n\n1. first\n\n```\n<x> & y\n```\n<script>"
    )
    assert (
        "<h2>Title</h2>" in html
        and "<code>a&lt;b&gt;.txt</code>" in html
        and "<strong>write</strong>" in html
    )
    assert "<ul><li>one</li><li>two</li></ul>" in html and "<ol><li>first</li></ol>" in html
    assert "<pre><code>&lt;x&gt; &amp; y</code></pre>" in html and "<script>" not in html


@pytest.fixture
def extras(tmp_path):
    """validate.json, a learnability table and a contamination table naming two example tasks."""
    v = tmp_path / "validate.json"
    v.write_text(json.dumps({"tasks": [{"task_id": "waf-account-takeover", "passed": True},
                                       {"task_id": "contact-list-merge", "passed": False, "skipped": "static errors"}]}))  # fmt: skip
    learn = tmp_path / "learn.csv"
    pd.DataFrame({"task_id": ["waf-account-takeover", "contact-list-merge"], "value": [0.5, 1.0]}).to_csv(
        learn, index=False
    )
    cont = tmp_path / "contamination.csv"
    pd.DataFrame({"task_id": ["contact-list-merge", "waf-account-takeover"], "flagged": [True, False],
                  "reason": ["13-gram overlap 0.91 with heldout/x", ""]}).to_csv(cont, index=False)  # fmt: skip
    return v, learn, cont


def test_catalog_columns_and_task_pages(tmp_path, extras, capsys):
    v, learn, cont = extras
    out = tmp_path / "site"
    argv = ["catalog", str(EXAMPLES), "--out", str(out), "--validate", str(v), "--learnability", str(learn),
            "--band", "0.1", "0.9", "--contamination", str(cont), "--json"]  # fmt: skip
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["tasks"] == N_EXAMPLES == 10
    index = (out / "index.html").read_text()
    assert "<script src" not in index and "http" not in index
    waf = index[index.index(">waf-account-takeover<") :].split("</tr>")[0]
    assert ">passed<" in waf and "0.50 in band" in waf and ">clean<" in waf and ">cybersecurity<" in waf
    clm = index[index.index(">contact-list-merge<") :].split("</tr>")[0]
    assert "failed: static errors" in clm and "1.00 outside band" in clm and "13-gram overlap" in clm
    assert "not validated" in index  # the other eight
    page = (out / "tasks" / "examples" / "waf-account-takeover.html").read_text()
    assert (
        '<h1 id="task-id">waf-account-takeover</h1>' in page
        and "<code>/root/incident_report.json</code>" in page
    )
    assert "<ol>" in page and "1800 s" in page and "passed" in page


def test_validation_from_a_run_folder(tmp_path, make_task):
    from arena.catalog import validation_status

    run = tmp_path / "run"
    run.mkdir()
    rows = [("good", "oracle", 1.0), ("good", "oracle", 1.0), ("good", "nop", 0.0),
            ("flaky", "oracle", 1.0), ("flaky", "oracle", 0.0), ("flaky", "nop", 0.0),
            ("lazy", "oracle", 1.0), ("lazy", "nop", 1.0)]  # fmt: skip
    df = pd.DataFrame(rows, columns=["task_id", "agent", "reward"])
    df["sample"], df["status"], df["trial_key"] = range(len(df)), "ok", [f"k{i}" for i in range(len(df))]
    df.to_parquet(run / "trials.parquet", index=False)
    assert validation_status(run) == {
        "good": "passed",
        "flaky": "failed: oracle 1/2",
        "lazy": "failed: oracle 1/1; nop passes",
    }


def test_catalog_usage_errors(tmp_path, capsys):
    assert main(["catalog", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert main(["catalog", str(EXAMPLES), "--out", str(tmp_path / "o"), "--band", "0.9", "0.1"]) == 2
    assert "--band LOW HIGH needs LOW < HIGH" in capsys.readouterr().err


@pytest.mark.browser
def test_filter_by_domain_and_open_a_task_in_a_browser(tmp_path):
    index, n = build_catalog([EXAMPLES, REFERENCE], tmp_path / "site")
    assert n == 80 + N_EXAMPLES
    with browser_page() as page:
        page.goto(index.as_uri())
        assert page.inner_text("#shown") == str(80 + N_EXAMPLES)
        page.select_option('select.filter[data-key="domain"]', "cybersecurity")
        assert set(visible_texts(page, '#catalog td[data-key="domain"]')) == {"cybersecurity"}
        assert page.inner_text("#shown") == "12"  # 10 reference tasks + the WAF and hand-off examples
        page.fill('input.filter[data-key="*"]', "waf")  # the example and the web-attack tasks (tag waf)
        hits = visible_texts(page, '#catalog td[data-key="id"]')
        assert "waf-account-takeover" in hits and all(h.startswith(("waf-", "web-attack-type-")) for h in hits)
        page.fill('input.filter[data-key="*"]', "takeover")
        assert visible_texts(page, '#catalog td[data-key="id"]') == ["waf-account-takeover"]
        page.screenshot(path=str(tmp_path / "catalog.png"), full_page=True)
        page.click("text=waf-account-takeover")
        page.wait_for_selector("#task-id")
        assert page.inner_text("#task-id") == "waf-account-takeover"
        assert "attacking addresses" in page.inner_text("#prompt")
        assert page.locator("#prompt ol li").count() >= 5
        page.click("text=← catalog")
        page.wait_for_selector("#catalog")
        assert page.js_errors == []
    assert (tmp_path / "catalog.png").stat().st_size > 5_000
