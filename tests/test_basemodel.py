"""The base-model builder (arena model base) on tiny settings, its curriculum and its guard, and the
committed base model."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("reasoning_gym")

from arena.train import basemodel, curriculum  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TINY = {"steps": 4, "size": "test", "batch_size": 4, "chunk": 2, "warmup": 2, "eval_n": 1, "run_guard": False,
        "vocab_size": 300, "tokenizer_texts": 150, "progress": False, "threads": 1}  # fmt: skip
CARD_FIELDS = ("parameters", "steps", "steps_planned", "tokens_seen", "loss_summary", "skill_profile",
               "data_recipe", "data_recipe_digest", "contamination_guard", "wall_s", "hardware", "versions",
               "vocab_size", "shape", "seed")  # fmt: skip


def _weights(folder: Path) -> bytes:
    return (folder / "model.safetensors").read_bytes()


def test_a_continued_build_starts_from_the_parent_and_keeps_the_lineage(tmp_path):
    first = basemodel.build(tmp_path / "first", **{**TINY, "eval_n": 0})
    cont = {**TINY, "eval_n": 0, "seed": 1, "init_from": tmp_path / "first"}
    card = basemodel.build(tmp_path / "second", **cont)
    assert _weights(tmp_path / "second") != _weights(tmp_path / "first")
    # the parent's tokenizer is kept (not retrained with the data seed)
    assert (tmp_path / "second" / "tokenizer.json").read_bytes() == (tmp_path / "first" / "tokenizer.json").read_bytes()
    assert card["init_from"]["weights_sha256"] == first["weights_sha256"]
    assert [x["weights_sha256"] for x in card["lineage"]] == [first["weights_sha256"], card["weights_sha256"]]
    assert card["steps_total"] == first["steps"] + card["steps"]
    assert "--init" in card["command"]
    # deterministic, and a chunked continuation resumes to the same bytes
    basemodel.build(tmp_path / "cut", **cont, stop_at=1)
    basemodel.build(tmp_path / "cut", **cont, resume=True)
    assert _weights(tmp_path / "cut") == _weights(tmp_path / "second")
    with pytest.raises(ValueError, match="--init"):
        basemodel.build(tmp_path / "bad", **{**cont, "init_from": tmp_path / "nothing"})
    with pytest.raises(ValueError, match="size"):
        basemodel.build(tmp_path / "bad2", **{**cont, "size": "base-small"})


def test_build_is_deterministic_and_writes_a_card(tmp_path):
    a = basemodel.build(tmp_path / "a", **TINY)
    basemodel.build(tmp_path / "b", **TINY)
    assert _weights(tmp_path / "a") == _weights(tmp_path / "b")
    assert (tmp_path / "a" / "tokenizer.json").read_bytes() == (
        tmp_path / "b" / "tokenizer.json"
    ).read_bytes()
    card = json.loads((tmp_path / "a" / "model_card.json").read_text())
    for f in CARD_FIELDS:
        assert f in card, f
    assert card == a
    assert card["steps"] == card["steps_planned"] == 4 and card["complete"]
    assert card["tokens_seen"] > 0 and len(card["loss_summary"]["curve"]) == 4
    assert set(card["skill_profile"]) == set(curriculum.SKILLS)
    assert all(0.0 <= v <= 1.0 for v in card["skill_profile"].values())
    assert card["versions"]["torch"] and card["hardware"]["device"] == "cpu"
    assert card["data_recipe_digest"] == curriculum.recipe_digest()


def test_resume_gives_the_same_bytes(tmp_path):
    tiny = {**TINY, "eval_n": 0}
    basemodel.build(tmp_path / "full", **tiny)
    part = basemodel.build(tmp_path / "cut", **tiny, stop_at=2)
    assert part["partial"] and not (tmp_path / "cut" / "model.safetensors").exists()
    assert (tmp_path / "cut" / basemodel.STATE).exists()
    card = basemodel.build(tmp_path / "cut", **tiny, resume=True)
    assert _weights(tmp_path / "cut") == _weights(tmp_path / "full")
    full = json.loads((tmp_path / "full" / "model_card.json").read_text())
    assert card["loss_summary"] == full["loss_summary"] and card["tokens_seen"] == full["tokens_seen"]
    # a checkpoint is only resumed with the settings it was made with
    with pytest.raises(ValueError, match="other settings"):
        basemodel.build(tmp_path / "cut", **{**tiny, "lr": 1e-4}, resume=True)


def test_export_checkpoint_says_how_many_steps(tmp_path):
    basemodel.build(tmp_path / "run", **{**TINY, "eval_n": 0}, stop_at=2)
    card = basemodel.export_checkpoint(tmp_path / "run", tmp_path / "model", eval_n=0)
    assert card["steps"] == 2 and card["steps_planned"] == 4 and not card["complete"]
    from transformers import AutoModelForCausalLM

    m = AutoModelForCausalLM.from_pretrained(tmp_path / "model")
    assert sum(p.numel() for p in m.parameters()) == card["parameters"]


def test_examples_are_a_pure_function_of_seed_and_step():
    a, b = curriculum.batch(3, 17, 100, 16), curriculum.batch(3, 17, 100, 16)
    assert a == b and a != curriculum.batch(3, 18, 100, 16)
    assert curriculum.fresh("copy", 5, seed=0) == curriculum.fresh("copy", 5, seed=0)


@pytest.mark.parametrize("skill", curriculum.SKILLS)
def test_every_skill_answers_in_its_shape(skill):
    for ex in curriculum.fresh(skill, 20, seed=4):
        assert ex.answer and ex.answer == ex.answer.strip() and ex.prompt
        if ex.fmt == "int":
            assert ex.answer.lstrip("-").isdigit(), ex
        elif ex.fmt == "list":
            assert " " not in ex.answer and "" not in ex.answer.split(","), ex
        elif ex.fmt == "kv":
            assert all("=" in line and " " not in line for line in ex.answer.splitlines()), ex
        elif ex.fmt == "token":
            assert "\n" not in ex.answer, ex
            if skill not in ("instruction",):
                assert ex.answer in ex.prompt, ex  # copied from the text


def test_curriculum_uses_no_family_entity():
    banned = curriculum.family_entities()
    assert len(banned) > 100
    rng = random.Random(0)
    for level in (0, 1, 2):
        assert not {curriculum.entity(rng, level).lower() for _ in range(3000)} & banned
    assert not set(curriculum.dictionary()) & banned


def test_guard_passes_the_curriculum_and_refuses_planted_overlap():
    from arena import families
    from arena.task import load_task

    summary = curriculum.guard(60)
    assert summary["flagged"] == 0 and summary["heldout_docs"] > 100
    held, _ = load_task(sorted(curriculum.heldout_dir().iterdir())[3])
    with pytest.raises(curriculum.CurriculumOverlapError, match="held-out suite|heldout") as e:
        curriculum.guard(60, extra=[f"Here is the input:\n\n{held.spec.prompt}\n\nWhat is it?"])
    assert held.id in str(e.value)
    fam = families.instances(
        families.names(reserved=False)[0], 1, seed=0, difficulty="medium", split="train"
    )[0]
    with pytest.raises(curriculum.CurriculumOverlapError, match="families"):
        curriculum.guard(60, extra=[fam.prompt])


def test_guard_refuses_without_a_heldout_suite(tmp_path):
    with pytest.raises(curriculum.CurriculumOverlapError, match="no held-out suite"):
        curriculum.guard(10, heldout=tmp_path)


def test_tokenizer_splits_digits_and_keeps_the_chat_template():
    tok = basemodel.make_tokenizer(0, vocab_size=300, n_texts=150)
    assert tok.tokenize("12345") == list("12345")
    text = tok.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_cli_arguments(tmp_path, capsys):
    import torch

    from arena.cli.main import main

    if not torch.cuda.is_available():
        assert main(["model", "base", "--out", str(tmp_path / "x"), "--device", "cuda"]) == 2
        assert "no CUDA device" in capsys.readouterr().err
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "f").write_text("x")
    assert main(["model", "base", "--out", str(tmp_path / "busy")]) == 2
    assert "--resume" in capsys.readouterr().err
    assert (
        main(["model", "base", "--out", str(tmp_path / "none"), "--export-checkpoint", str(tmp_path / "d")])
        == 2
    )
    assert "no chunk checkpoint" in capsys.readouterr().err
    assert main(["model", "base", "--out", str(tmp_path / "y"), "--steps", "0"]) == 2


def _committed() -> list[Path]:
    return sorted(p.parent for p in (REPO / "models").glob("*/model_card.json"))


def test_committed_base_model_loads_and_matches_its_card():
    folders = _committed()
    assert folders, "no committed base model under models/"
    from transformers import AutoModelForCausalLM, AutoTokenizer

    for folder in folders:
        card = json.loads((folder / "model_card.json").read_text())
        assert (folder / "model.safetensors").stat().st_size <= 8 * 2**20
        model = AutoModelForCausalLM.from_pretrained(folder)
        tok = AutoTokenizer.from_pretrained(folder)
        assert sum(p.numel() for p in model.parameters()) == card["parameters"]
        assert len(tok) == card["vocab_size"] == model.config.vocab_size
        for k, v in card["shape"].items():
            assert getattr(model.config, k) == v, k
        assert next(model.parameters()).dtype.is_floating_point
        assert card["steps"] > 0 and card["tokens_seen"] > 0 and card["skill_profile"]
