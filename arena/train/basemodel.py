"""The CPU arena's fixed base model: a small Qwen3 pretrained here on the generic skill curriculum.

``build(out, steps=…, seed=…, size=…)`` (``arena model base``) does, in order:

1. runs the contamination guard on a sample of the curriculum (``curriculum.guard``: against the
   arena families' training tasks and the held-out suite; any flagged pair stops the build);
2. trains a byte-level BPE tokenizer on the curriculum's own text (``tiny.train_tokenizer``:
   digits split into single tokens, arena's chat template, nothing from the families);
3. builds a random-init ``Qwen3ForCausalLM`` of ``SIZES[size]`` (seeded) and trains it with a plain
   torch loop (AdamW, linear warm-up then cosine decay, gradient clipping) on fresh curriculum
   examples every step, rendered with the chat template arena's SFT uses; the loss is on the
   answer tokens and the closing ``<|im_end|>`` only (assistant-only, as TRL's
   ``assistant_only_loss`` with that template);
4. every ``chunk`` steps writes ``chunks/state.pt`` (weights, optimizer, step, loss log, wall
   time; atomically): ``resume=True`` continues from it and gives the same bytes as an
   uninterrupted run, because the examples of step ``s`` are a pure function of (seed, s);
5. writes the model folder (``config.json``, ``model.safetensors`` fp32, tokenizer files,
   ``generation_config.json``) and ``model_card.json``: the curriculum recipe and its digest, the
   guard's summary, steps, tokens seen, the loss curve, a skill profile (exact match per skill on
   fresh instances, greedy decoding), wall time, hardware and library versions.

Deterministic on CPU: the same seed, size, steps and thread count give byte-identical weights.
``device="cuda"`` trains under bf16 autocast (fp32 master weights) and saves fp32 weights.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

from arena.train import curriculum

SIZES: dict[str, dict] = {
    # ~1.8M parameters with the 1024-token vocabulary (fp32 ~7 MiB): the committed CPU base model
    "base": {"hidden_size": 192, "intermediate_size": 512, "num_hidden_layers": 4,
             "num_attention_heads": 6, "num_key_value_heads": 2, "head_dim": 32},
    # ~0.5M: a quicker variant for experiments
    "base-small": {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 4,
                   "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32},
    # a few thousand parameters: for tests only
    "test": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
             "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16},
}  # fmt: skip
VOCAB_SIZE = 1024
MAX_LENGTH = 384  # longer examples (rare) are skipped
STATE = "chunks/state.pt"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_tokenizer(seed: int = 0, *, vocab_size: int = VOCAB_SIZE, n_texts: int = 4000):
    """A BPE tokenizer trained on the curriculum's own text (plus arena's chat scaffold)."""
    from arena.train import tiny

    texts: list[str] = []
    for ex in curriculum.sample(n_texts, seed=seed + 7):
        texts += [ex.prompt, ex.answer]
    texts += tiny._TOOL_TEXT * 4
    for turn in ("system", "user", "assistant", "tool"):  # role names as one token each
        texts += [f"<|im_start|>{turn}\n"] * 50
    return tiny.train_tokenizer(vocab_size, texts=texts)


def make_config(tok, size: str):
    """The Qwen3 config of ``size``: arena's tiny-model settings with this module's shape."""
    from transformers import Qwen3Config

    from arena.train import tiny

    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of: {', '.join(SIZES)}")
    eos_id, pad_id = tok.convert_tokens_to_ids("<|im_end|>"), tok.convert_tokens_to_ids("<|endoftext|>")
    base = tiny.make_config(len(tok), "tiny", eos_id=eos_id, pad_id=pad_id)
    allowed = set(inspect.signature(Qwen3Config.__init__).parameters) - {"layer_types", "self", "kwargs"}
    kw = {k: v for k, v in base.to_dict().items() if k in allowed}
    return Qwen3Config(**{**kw, **SIZES[size], "max_position_embeddings": 1024})


def encode(tok, examples, max_length: int = MAX_LENGTH):
    """input_ids / attention_mask / labels (prompt and padding masked with -100), right-padded."""
    import torch

    rows = []
    end = tok.convert_tokens_to_ids("<|im_end|>")
    prompts = [tok.apply_chat_template([{"role": "user", "content": ex.prompt}], tokenize=False,
                                       add_generation_prompt=True) for ex in examples]  # fmt: skip
    p_ids = tok(prompts, add_special_tokens=False)["input_ids"]
    a_ids = tok([ex.answer for ex in examples], add_special_tokens=False)["input_ids"]
    for p, a in zip(p_ids, a_ids):
        if len(p) + len(a) + 1 <= max_length:
            rows.append((p + a + [end], [-100] * len(p) + a + [end]))
    width = max(len(r[0]) for r in rows)
    pad = tok.pad_token_id
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (x, y) in enumerate(rows):
        ids[i, : len(x)] = torch.tensor(x)
        labels[i, : len(y)] = torch.tensor(y)
        mask[i, : len(x)] = 1
    return ids, mask, labels


def _losses(logits, ids, mask, labels, prompt_weight: float):
    """(answer loss, training loss): mean cross-entropy on the answer tokens, plus
    ``prompt_weight`` x the mean cross-entropy on the prompt tokens when that is not 0."""
    import torch.nn.functional as F

    target = labels[:, 1:]
    per_tok = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
    per_tok = per_tok.view_as(target)
    ans = target != -100
    answer_loss = per_tok[ans].mean()
    if not prompt_weight:
        return answer_loss, answer_loss
    prompt = (mask[:, 1:] == 1) & ~ans
    return answer_loss, answer_loss + prompt_weight * per_tok[prompt].mean()


def lr_at(step: int, steps: int, lr: float, warmup: int) -> float:
    if step < warmup:
        return lr * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


def skill_profile(model, tok, *, n: int = 50, seed: int = 0, batch: int = 50, device: str = "cpu") -> dict:
    """Exact match per curriculum skill on ``n`` fresh instances (greedy, answer stripped)."""
    import torch

    model.eval()
    out = {}
    for skill in curriculum.SKILLS:
        exs = curriculum.fresh(skill, n, seed=seed)
        hits = 0
        for i in range(0, len(exs), batch):
            part = exs[i : i + batch]
            texts = [tok.apply_chat_template([{"role": "user", "content": e.prompt}], tokenize=False,
                                             add_generation_prompt=True) for e in part]  # fmt: skip
            enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
            # an exact match cannot be longer than the longest expected answer (+ <|im_end|>)
            longest = max(
                len(ids) for ids in tok([e.answer for e in part], add_special_tokens=False)["input_ids"]
            )
            with torch.no_grad():
                gen = model.generate(**enc, max_new_tokens=longest + 2, do_sample=False,
                                     pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)  # fmt: skip
            for g, e in zip(gen, part):
                text = tok.decode(g[enc["input_ids"].shape[1] :], skip_special_tokens=True)
                hits += text.strip() == e.answer.strip()
        out[skill] = round(hits / max(1, len(exs)), 4)
    return out


def _versions() -> dict:
    import tokenizers
    import torch
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "python": platform.python_version()}  # fmt: skip


def _hardware(device: str) -> dict:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        names = [ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                 if ln.startswith("model name")]  # fmt: skip
        cpu = names[0] if names else cpu
    except OSError:
        pass
    hw = {"device": device, "cpu": cpu, "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
          "load_average_at_export": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None}  # fmt: skip
    if device == "cuda" and torch.cuda.is_available():
        hw["gpu"] = torch.cuda.get_device_name(0)
    return hw


def _signature(**kw) -> dict:
    return {**kw, "curriculum_digest": curriculum.recipe_digest()}


def _save_atomic(obj, path: Path) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def build(out: str | Path, *, steps: int = 8000, seed: int = 0, size: str = "base", device: str = "cpu",
          batch_size: int = 32, lr: float = 3e-3, warmup: int = 200, chunk: int = 250, resume: bool = False,
          threads: int | None = None, eval_n: int = 50, guard_n: int = 400, run_guard: bool = True,
          progress: bool = True, vocab_size: int = VOCAB_SIZE, tokenizer_texts: int = 4000,
          prompt_loss: float = 0.0, stop_at: int | None = None, init_from: str | Path | None = None) -> dict:  # fmt: skip
    """Pretrain (or resume) the base model into ``out``; returns the model card.  ``stop_at``
    stops after that many steps with a chunk checkpoint and no model folder (tests, time limits).
    ``init_from`` (a base-model folder this function wrote) continues pretraining from its weights
    and tokenizer instead of a fresh init: ``seed`` then only draws the data (pass another seed than
    the first stage's, or its examples repeat); the card records the lineage."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from tqdm import tqdm
    from transformers import Qwen3ForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be cpu or cuda, got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda: no CUDA device is visible to torch")
    if threads:
        torch.set_num_threads(threads)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / STATE
    parent = _parent(init_from, size) if init_from is not None else None
    sig = _signature(steps=steps, seed=seed, size=size, batch_size=batch_size, lr=lr, warmup=warmup, prompt_loss=prompt_loss,
                     vocab_size=vocab_size, tokenizer_texts=tokenizer_texts, device=device,
                     init_from=parent and parent["weights_sha256"])  # fmt: skip
    t_start = time.time()
    state = None
    if resume and state_path.exists():
        state = torch.load(state_path, weights_only=False)
        diff = {k: (state["signature"].get(k), v) for k, v in sig.items() if state["signature"].get(k) != v}
        if diff:
            raise ValueError(f"--resume: the checkpoint in {out} was made with other settings: {diff}")
        guard_summary = state["guard"]
        _log(f"resuming from step {state['step']} of {steps}")
    elif run_guard:
        _log(
            f"contamination guard: {guard_n} curriculum examples vs the families' training tasks and the held-out suite"
        )
        guard_summary = curriculum.guard(guard_n, seed=seed)
    else:
        guard_summary = {"skipped": True}

    if parent is not None:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(parent["path"])
        model = Qwen3ForCausalLM.from_pretrained(parent["path"], dtype=torch.float32).to(device)
    else:
        tok = make_tokenizer(seed, vocab_size=vocab_size, n_texts=tokenizer_texts)
        cfg = make_config(tok, size)
        with torch.random.fork_rng(devices=[]):  # seeded init, the caller's RNG untouched
            torch.manual_seed(seed)
            model = Qwen3ForCausalLM(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01, eps=1e-8)
    step, losses, tokens, wall = 0, [], 0, 0.0
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, losses, tokens, wall = state["step"], state["losses"], state["tokens"], state["wall_s"]
    n_params = sum(p.numel() for p in model.parameters())
    _log(
        f"model {size}: {n_params:,} parameters, vocab {len(tok)}; {steps} steps x {batch_size} examples on {device}"
    )
    last = min(steps, stop_at) if stop_at is not None else steps
    bar = tqdm(total=last, initial=step, file=sys.stderr, disable=not progress, desc="pretrain", unit="step",
               dynamic_ncols=True, mininterval=5)  # fmt: skip
    seg_start = time.time()
    model.train()

    def checkpoint() -> None:
        _save_atomic({"signature": sig, "guard": guard_summary, "model": model.state_dict(),
                      "optimizer": opt.state_dict(), "step": step, "losses": losses, "tokens": tokens,
                      "wall_s": wall + time.time() - seg_start, "parent": parent}, state_path)  # fmt: skip

    while step < last:
        ids, mask, labels = encode(tok, curriculum.batch(seed, step, steps, batch_size))
        ids, mask, labels = ids.to(device), mask.to(device), labels.to(device)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, lr, warmup)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
        loss, total = _losses(logits, ids, mask, labels, prompt_loss)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(round(float(loss.detach()), 5))
        tokens += int(mask.sum())
        step += 1
        bar.update(1)
        if step % 50 == 0:
            bar.set_postfix(loss=f"{sum(losses[-50:]) / 50:.3f}")
        if step % chunk == 0 or step == last:
            checkpoint()
    bar.close()
    wall += time.time() - seg_start
    if step < steps:
        return {"step": step, "steps": steps, "partial": True}
    return export(out, model=model, tok=tok, step=step, steps=steps, losses=losses, tokens=tokens, wall=wall,
                  sig=sig, guard_summary=guard_summary, eval_n=eval_n, device=device, t_start=t_start,
                  parent=parent)  # fmt: skip


def _parent(path: str | Path, size: str) -> dict:
    """What a continued build starts from: a finished base-model folder of the same shape."""
    path = Path(path)
    card_path = path / "model_card.json"
    if not (path / "model.safetensors").exists() or not card_path.exists():
        raise ValueError(f"--init {path}: not a base-model folder (needs model.safetensors and model_card.json)")
    card = json.loads(card_path.read_text())
    if card.get("size") != size:
        raise ValueError(f"--init {path}: that model has size {card.get('size')!r}, this build {size!r}; pass --size "
                         f"{card.get('size')}")
    lineage = card.get("lineage") or [{k: card.get(k) for k in ("name", "steps", "seed", "tokens_seen", "wall_s",
                                                                 "data_recipe_digest", "command", "weights_sha256")}]
    return {"path": str(path), "weights_sha256": hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest(),
            "lineage": lineage}  # fmt: skip


def export_checkpoint(out: str | Path, dest: str | Path, *, eval_n: int = 50) -> dict:
    """Write the latest chunk checkpoint of a build in ``out`` as a model folder in ``dest``: the
    finished model elsewhere, or an unfinished build's state (its card says how many of the
    planned steps it saw, ``complete: false``)."""
    import torch
    from transformers import Qwen3ForCausalLM

    state = torch.load(Path(out) / STATE, weights_only=False)
    s, parent = state["signature"], state.get("parent")
    if parent is not None:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(parent["path"])
    else:
        tok = make_tokenizer(s["seed"], vocab_size=s["vocab_size"], n_texts=s["tokenizer_texts"])
    model = Qwen3ForCausalLM(make_config(tok, s["size"]))
    model.load_state_dict(state["model"])
    return export(dest, model=model, tok=tok, step=state["step"], steps=s["steps"], losses=state["losses"],
                  tokens=state["tokens"], wall=state["wall_s"], sig=s, guard_summary=state["guard"],
                  eval_n=eval_n, device="cpu", t_start=time.time(), parent=parent)  # fmt: skip


def _loss_summary(losses: list[float]) -> dict:
    n = len(losses)
    if not n:
        return {}
    k = max(1, n // 50)
    curve = [
        [min(n, i + k), round(sum(losses[i : i + k]) / len(losses[i : i + k]), 4)] for i in range(0, n, k)
    ]
    tail = losses[-max(1, n // 20) :]
    return {"first": losses[0], "final": round(sum(tail) / len(tail), 4), "min_window": min(c[1] for c in curve),
            "window_steps": k, "curve": curve}  # fmt: skip


def export(
    out, *, model, tok, step, steps, losses, tokens, wall, sig, guard_summary, eval_n, device, t_start, parent=None
) -> dict:
    from transformers import GenerationConfig

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    t_eval = time.time()
    profile = skill_profile(model, tok, n=eval_n, seed=sig["seed"] + 1000, device=device) if eval_n else {}
    eval_s = time.time() - t_eval
    model = model.to("cpu").float()
    model.generation_config = GenerationConfig(eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                                               do_sample=False, max_new_tokens=64)  # fmt: skip
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    own = [s for s in curriculum.OWN_SKILLS if s in profile]
    card = {
        "name": out.name,
        "architecture": "Qwen3ForCausalLM",
        "size": sig["size"],
        "shape": SIZES[sig["size"]],
        "parameters": n_params,
        "vocab_size": len(tok),
        "dtype": "float32",
        "seed": sig["seed"],
        "steps": step,
        "steps_planned": steps,
        "complete": step >= steps,
        "batch_size": sig["batch_size"],
        "learning_rate": sig["lr"],
        "schedule": f"linear warm-up {sig['warmup']} steps, cosine to 10%; AdamW (0.9, 0.98), wd 0.01, clip 1.0",
        "loss": "cross-entropy on the answer tokens + <|im_end|> (assistant-only), chat template of arena.train.tiny",
        "tokens_seen": tokens,
        "tokens_per_s": round(tokens / wall, 1) if wall else None,
        "loss_summary": _loss_summary(losses),
        "skill_profile": profile,
        "skill_profile_mean": round(sum(profile.values()) / len(profile), 4) if profile else None,
        "skill_profile_own_mean": round(sum(profile[s] for s in own) / len(own), 4) if own else None,
        "skill_profile_n": eval_n,
        "data_recipe": curriculum.recipe(),
        "data_recipe_digest": sig["curriculum_digest"],
        "contamination_guard": guard_summary,
        "wall_s": round(wall, 1),
        "eval_s": round(eval_s, 1),
        "hardware": _hardware(device),
        "versions": _versions(),
        "command": f"arena model base --out {out} --steps {steps} --seed {sig['seed']} --size {sig['size']}"
        + (f" --init {parent['path']}" if parent else ""),
        "weights_sha256": hashlib.sha256((out / "model.safetensors").read_bytes()).hexdigest(),
    }
    if parent is not None:  # earlier stages first; totals over the whole lineage
        this = {k: card[k] for k in ("name", "steps", "seed", "tokens_seen", "wall_s", "data_recipe_digest",
                                     "command", "weights_sha256")}  # fmt: skip
        card["init_from"] = {"path": parent["path"], "weights_sha256": parent["weights_sha256"]}
        card["lineage"] = parent["lineage"] + [this]
        card["steps_total"] = sum(x.get("steps") or 0 for x in card["lineage"])
        card["tokens_seen_total"] = sum(x.get("tokens_seen") or 0 for x in card["lineage"])
        card["wall_s_total"] = round(sum(x.get("wall_s") or 0 for x in card["lineage"]), 1)
    (out / "model_card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card
