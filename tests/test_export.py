"""arena.export + `arena export dataset` / `arena import dataset`: deterministic archives, a
byte-identical round trip of the reference corpus, offline loading with `datasets`, refused
packages, tampered archives."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from arena.cli.main import main
from arena.export import DATA_FILE, export_dataset, import_dataset, pack, read_rows, unpack
from arena.task import tree_digest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "environments" / "reference"


def test_pack_depends_only_on_what_the_digest_covers(make_task, tmp_path):
    t = make_task("a")
    first = pack(t)
    os.utime(t / "task.md", (1, 1))  # mtime is not content
    assert pack(t) == first
    (t / "oracle" / "solve.sh").chmod(0o755)  # the executable bit is
    packed = pack(t)
    assert packed != first
    names = tarfile.open(fileobj=io.BytesIO(packed)).getnames()
    assert names == sorted(names) and "oracle/solve.sh" in names and "task.md" in names
    os.symlink("numbers.txt", t / "environment" / "link.txt")
    out = tmp_path / "out"
    assert unpack(pack(t), out) == []
    assert os.readlink(out / "environment" / "link.txt") == "numbers.txt"
    assert os.access(out / "oracle" / "solve.sh", os.X_OK) and tree_digest(out) == tree_digest(t)


def test_unpack_refuses_paths_leaving_the_folder(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in ("../evil.txt", "/abs.txt", "ok/fine.txt"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    problems = unpack(buf.getvalue(), tmp_path / "dest")
    assert len(problems) == 2 and all("unsafe path" in p for p in problems)
    assert (tmp_path / "dest" / "ok" / "fine.txt").read_bytes() == b"hi"
    assert not (tmp_path / "evil.txt").exists()


@pytest.fixture(scope="module")
def reference_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("hf") / "reference"
    res = export_dataset([REFERENCE], out)
    return out, res


def test_reference_round_trip_is_byte_identical(reference_export, tmp_path):
    out, res = reference_export
    assert res.rows == 80 and not res.gate.refused and set(res.by_domain.values()) == {10}
    back = import_dataset(out, tmp_path / "corpus")
    assert back.ok and len(back.written) == 80
    originals = {p.name: p for p in REFERENCE.iterdir() if (p / "task.md").is_file()}
    for tid in back.written:
        assert tree_digest(tmp_path / "corpus" / tid) == tree_digest(originals[tid]), tid
    rows = {r["id"]: r for r in read_rows(out)}
    one = rows["action-items-train-s100-0000"]
    assert one["digest"] == tree_digest(originals["action-items-train-s100-0000"])
    assert one["domain"] == "office-knowledge-work" and one["difficulty"] == "easy"
    assert json.loads(one["frontmatter"])["agent"]["answer_file"] == "/root/answer.txt"
    assert (
        one["prompt"].startswith("Notes taken during the project sync")
        and one["license"] == "CC-BY-4.0 AND Apache-2.0"
    )
    # a second export of the same corpus writes the same parquet bytes
    again = export_dataset([REFERENCE], tmp_path / "again")
    assert (again.out / DATA_FILE).read_bytes() == (out / DATA_FILE).read_bytes()


def test_dataset_card_states_licences_counts_and_validation(reference_export):
    import yaml

    text = (reference_export[0] / "README.md").read_text()
    header = yaml.safe_load(text.split("---")[1])
    assert header["license"] == ["cc-by-4.0", "apache-2.0"]
    assert header["configs"][0]["data_files"][0]["path"] == "data/train-*.parquet"
    assert "| sciences | 10 |" in text and "| **total** | 80 |" in text
    assert "passed `arena check`" in text and "0 package(s) failed the check" in text


def test_load_dataset_offline(reference_export, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    out = reference_export[0]
    ds = datasets.load_dataset(
        "parquet", data_files=str(out / "data" / "*.parquet"), cache_dir=str(tmp_path / "c1")
    )
    train = ds["train"]
    assert train.num_rows == 80 and {"id", "domain", "prompt", "frontmatter", "digest", "files"} <= set(
        train.column_names
    )
    row = train[0]
    assert unpack(row["files"], tmp_path / "pkg") == [] and tree_digest(tmp_path / "pkg") == row["digest"]
    by_card = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "c2"))  # README configs name the files
    assert by_card["train"].num_rows == 80


def test_export_refuses_failing_packages_with_their_findings(make_task, tmp_path, capsys):
    make_task("corpus/good")
    bad = make_task("corpus/bad")
    (bad / "verifier" / "test.sh").unlink()
    code = main(["export", "dataset", str(tmp_path / "corpus"), "--out", str(tmp_path / "ds")])
    err = capsys.readouterr().err
    assert code == 1
    assert (
        "refused bad" in err
        and "structure.missing-file" in err
        and "verifier/test.sh" in err
        and "fix:" in err
    )
    assert "1 package(s) refused (bad)" in err
    ids = pq.read_table(tmp_path / "ds" / DATA_FILE).column("id").to_pylist()
    assert ids == ["good"]  # the rest is exported
    assert main(["export", "dataset", str(tmp_path / "nope"), "--out", str(tmp_path / "x")]) == 2


def test_import_reports_a_tampered_archive(make_task, tmp_path, capsys):
    import pyarrow as pa

    make_task("corpus/good")
    export_dataset([tmp_path / "corpus"], tmp_path / "ds")
    table = pq.read_table(tmp_path / "ds" / DATA_FILE)
    other = make_task("other", prompt="Something else entirely, to change the archive bytes.")
    table = table.set_column(
        table.schema.get_field_index("files"), "files", pa.array([pack(other)], pa.binary())
    )
    pq.write_table(table, tmp_path / "ds" / DATA_FILE)
    code = main(["import", "dataset", str(tmp_path / "ds"), "--out", str(tmp_path / "back")])
    assert code == 1 and "import.digest" in capsys.readouterr().err
    code = main(["import", "dataset", str(tmp_path / "ds"), "--out", str(tmp_path / "back")])
    assert code == 1 and "import.exists" in capsys.readouterr().err  # never overwritten silently


def test_help_of_every_new_command_teaches(capsys):
    """Examples, exit codes (for issue #8's commands: export, import, leaderboard, catalog)."""
    for argv in (["export", "dataset", "--help"], ["export", "harbor", "--help"], ["import", "dataset", "--help"],
                 ["import", "harbor", "--help"], ["leaderboard", "--help"], ["catalog", "--help"]):  # fmt: skip
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        text = capsys.readouterr().out
        assert "examples:" in text and f"arena {argv[0]} " in text and "exit:" in text
