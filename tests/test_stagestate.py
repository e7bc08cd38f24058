"""arena.stagestate: the resumable stage bookkeeping that `arena train` and `arena showcase` share."""

from __future__ import annotations

import json
import threading

from arena.stagestate import StageState, read_json, write_json


def test_a_new_state_starts_from_the_default_and_a_saved_one_is_read_back(tmp_path):
    path = tmp_path / "state.json"
    default = {"stages": {}, "attempts": 0}
    s = StageState.load(path, default)
    assert s.doc == {"stages": {}, "attempts": 0} and s.doc is not default and not path.exists()
    assert not s.done("sft") and not s.done("eval", "baseline")
    s.finish("sft", checkpoint="sft/final")
    s.mark_item("eval", "baseline")
    s.mark_item("eval", "baseline")  # kept once
    s.mark("grpo", checkpoint="grpo/7")  # facts without "done"
    again = StageState.load(path, default)
    assert again.doc == s.doc and again.done("sft") and again.done("eval", "baseline")
    assert not again.done("grpo") and not again.done("eval") and not again.done("eval", "hasty")
    assert again.doc["stages"]["eval"]["items_done"] == ["baseline"]
    assert again.doc["stages"]["sft"] == {"status": "done", "checkpoint": "sft/final"}


def test_the_document_keeps_its_key_order_and_is_written_whole(tmp_path):
    path = tmp_path / "showcase.json"
    s = StageState(path, {"config": {"seed": 3}})
    s.doc["complete"] = False
    s.save()
    assert list(json.loads(path.read_text())) == ["config", "stages", "complete"]
    assert path.read_text(encoding="utf-8").endswith("}\n") and not (tmp_path / "showcase.json.tmp").exists()
    write_json(tmp_path / "sub" / "x.json", {"name": "Δ"})  # parents made, UTF-8 kept as is
    assert "Δ" in (tmp_path / "sub" / "x.json").read_text(encoding="utf-8")
    assert read_json(tmp_path / "missing.json") is None


def test_items_marked_from_many_threads_are_all_kept(tmp_path):
    s = StageState(tmp_path / "s.json", {})
    threads = [threading.Thread(target=s.mark_item, args=("eval", f"run{i}")) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(read_json(tmp_path / "s.json")["stages"]["eval"]["items_done"]) == sorted(f"run{i}" for i in range(16))
