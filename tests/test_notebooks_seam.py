"""The papermill seam: parameters in, records out (into metadata), HTML export, cell errors named."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from arena.cli.main import main
from arena.notebooks import NotebookError, read_records, run_notebook


def make_nb(folder, name, body):
    nb = new_notebook()
    params = new_code_cell("x = 2\nlabel = 'a'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("# Demo notebook\nnarrative"), params, new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / name)


@pytest.fixture
def nbdir(tmp_path, monkeypatch):
    d = tmp_path / "nbs"
    make_nb(d, "01_demo.ipynb", "from arena.notebooks import record\nrecord('square', x * x)\nrecord('label', label)")
    make_nb(d, "02_broken.ipynb", "raise ValueError('planted failure')")
    monkeypatch.setenv("ARENA_NOTEBOOKS", str(d))
    return d


def test_parameters_and_records(nbdir, tmp_path):
    run = run_notebook("demo", {"x": 7}, out_dir=tmp_path / "out")
    assert run.records == {"square": 49, "label": "a"}
    assert read_records(run.notebook)["square"] == 49
    assert run.html and "Demo notebook" in run.html.read_text()


def test_failing_cell_names_the_error(nbdir, tmp_path):
    with pytest.raises(NotebookError, match="ValueError: planted failure"):
        run_notebook("02", {}, out_dir=tmp_path / "out")


def test_cli_list_and_run(nbdir, tmp_path, capsys):
    assert main(["notebooks", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [n["name"] for n in listed] == ["01_demo", "02_broken"]
    assert listed[0]["parameters"]["x"]["default"] == "2"
    assert main(["notebooks", "run", "1", "-p", "x", "3", "--out", str(tmp_path / "o"), "--json", "--no-html"]) == 0
    assert json.loads(capsys.readouterr().out)["records"]["square"] == 9
    assert main(["notebooks", "run", "broken", "--out", str(tmp_path / "o")]) == 1
