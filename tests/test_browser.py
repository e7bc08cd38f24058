"""The interactive analysis works for a person: notebook 05 served by Voilà on 127.0.0.1, driven in
headless Chromium (Debian's package, through Playwright with its executable_path: no browser
download); changing the Team dropdown must change the explorer's figure and table."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from arena.notebooks import run_notebook
from tests.results_fixture import make_results

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def voila_url(tmp_path):
    pytest.importorskip("voila")
    results = make_results(tmp_path / "results")
    # papermill injects the parameters; Voilà re-executes that copy for the page
    nb = run_notebook("05", {"results": str(results), "resamples": 1000}, out_dir=tmp_path / "nb", html=False).notebook
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(nb), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
         "--Voila.root_dir=/", "--show_tracebacks=True"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "voila.log", "w"), cwd=str(Path(__file__).parent.parent),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("voila did not start: " + (tmp_path / "voila.log").read_text()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_changing_a_widget_changes_the_figure(voila_url, tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.goto(voila_url, timeout=120_000)
        team = page.locator("select").first  # the Team dropdown of the explorer
        team.wait_for(timeout=120_000)
        out = page.locator(".widget-output").last
        out.locator("img").first.wait_for(timeout=60_000)
        before_img = out.locator("img").first.get_attribute("src")
        before_table = out.locator("table").first.inner_text()
        options = team.locator("option").all_inner_texts()
        assert "bluefence" in options
        team.select_option(label="bluefence")
        page.wait_for_function(
            "([el, src]) => { const i = el.querySelector('img'); return i && i.getAttribute('src') !== src; }",
            arg=[out.element_handle(), before_img], timeout=60_000,
        )  # fmt: skip
        after_table = out.locator("table").first.inner_text()
        shot = tmp_path / "explorer-bluefence.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert after_table != before_table and "cybersecurity" in after_table
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
