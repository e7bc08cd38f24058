"""A tiny Qwen3 causal LM + a locally trained byte-level BPE tokenizer: a real model to train on CPU.

``make_tiny_model(out, seed=0, size="tiny")`` writes a folder that ``AutoModelForCausalLM`` and
``AutoTokenizer`` load with ``from_pretrained`` (no hub access): random-init weights
(``Qwen3ForCausalLM``) and a ~768-token byte-level BPE trained with ``tokenizers`` on text from the
bundled procedural families (train split only: held-out names are never in the vocabulary), with
digits split into single tokens so numbers are spelled digit by digit.

The chat template is Qwen-style (``<|im_start|>role ... <|im_end|>``) without a default system
prompt, wraps every assistant turn in ``{% generation %}`` markers (TRL ``assistant_only_loss``),
renders tool calls as ``<tool_call>{json}</tool_call>`` and tool results as ``<tool_response>``
blocks in a user turn, and is prefix-preserving (what TRL's multi-turn tool loop requires).

Deterministic: the same seed and size give byte-identical weights and tokenizer files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

VOCAB_SIZE = 768
#: special tokens (never split, skipped when decoding with skip_special_tokens)
SPECIAL = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
#: added (non-special) tokens: atomic in the vocabulary, kept in decoded text (tool-call parsing)
ADDED = ("<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<think>", "</think>")

SIZES: dict[str, dict] = {
    # ~0.17M parameters: learns one procedural family in a few hundred SFT steps on 2 cores
    # (head_dim 32: the smallest head size vLLM's CPU attention kernels accept)
    "tiny": {"hidden_size": 64, "intermediate_size": 192, "num_hidden_layers": 2,
             "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32},
    # ~1.2M parameters: several families at once, still CPU-trainable
    "small": {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 4,
              "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32},
}  # fmt: skip

CHAT_TEMPLATE = """\
{%- if tools %}
{{- '<|im_start|>system\\n' }}
{%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}{%- endif %}
{{- '# Tools\\n<tools>' }}
{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}
{{- '\\n</tools>\\nCall a tool with <tool_call>\\n{"name": <name>, "arguments": <args-json>}\\n</tool_call><|im_end|>\\n' }}
{%- elif messages[0].role == 'system' %}
{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}
{%- endif %}
{%- for message in messages %}
{%- set content = message.content if message.content is string else '' %}
{%- if message.role == 'user' or (message.role == 'system' and not loop.first) %}
{{- '<|im_start|>' + message.role + '\\n' + content + '<|im_end|>\\n' }}
{%- elif message.role == 'assistant' %}
{{- '<|im_start|>assistant\\n' }}
{%- generation %}
{{- content }}
{%- if message.tool_calls %}
{%- for tool_call in message.tool_calls %}
{%- if content or not loop.first %}{{- '\\n' }}{%- endif %}
{%- if tool_call.function %}{%- set tool_call = tool_call.function %}{%- endif %}
{{- '<tool_call>\\n{"name": "' + tool_call.name + '", "arguments": ' }}
{%- if tool_call.arguments is string %}{{- tool_call.arguments }}{%- else %}{{- tool_call.arguments | tojson }}{%- endif %}
{{- '}\\n</tool_call>' }}
{%- endfor %}
{%- endif %}
{{- '<|im_end|>\\n' }}
{%- endgeneration %}
{%- elif message.role == 'tool' %}
{%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}
{{- '\\n<tool_response>\\n' + content + '\\n</tool_response>' }}
{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"""

#: how transformers' ``parse_response`` reads an assistant turn of this template (tool calls as JSON)
RESPONSE_TEMPLATE = {
    "defaults": {"role": "assistant"},
    "start_anchor": "<|im_start|>assistant\n",
    "fields": {
        "reasoning_content": {"open": "<think>", "close_pattern": r"</think>\s*", "content": "text"},
        "tool_calls": {
            "open": "<tool_call>",
            "close_pattern": r"</tool_call>\s*",
            "repeats": True,
            "content": "json",
            "transform": {"type": "function", "function": "{content}"},
        },
        "content": {"close_pattern": r"<\|im_end\|>\s*", "content": "text"},
    },
}

#: command lines a tool-mode agent writes: in the tokenizer corpus so tool calls tokenize compactly
_TOOL_TEXT = [
    '<tool_call>\n{"name": "bash", "arguments": {"command": "cat /root/data.txt"}}\n</tool_call>',
    '<tool_call>\n{"name": "bash", "arguments": {"command": "echo 42 > /root/answer.txt"}}\n</tool_call>',
    "<tool_response>\nexit=0\nstdout:\n\nstderr:\n\n</tool_response>",
    "ls -la /root && head -n 20 /root/input.csv | sort | uniq -c | wc -l; grep -c ERROR app.log",
    "python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\"",
]


def corpus_text(per_family: int = 12) -> list[str]:
    """The tokenizer's training text: prompts + answers of every training family, train split."""
    texts: list[str] = []
    try:
        from arena import families
    except ImportError:  # pragma: no cover - the families ship with the package
        families = None
    if families is not None:
        for name in families.names(reserved=False):
            for difficulty in ("easy", "medium", "hard"):
                for g in families.instances(name, per_family, seed=7, difficulty=difficulty, split="train"):
                    texts.append(g.prompt)
                    texts.append(g.answer)
    texts += _TOOL_TEXT * 4
    for turn in ("system", "user", "assistant", "tool"):  # the chat scaffold, so role names are one token
        texts += [f"<|im_start|>{turn}\n"] * 50
    texts.append("You are a careful assistant. Answer with the answer only.")
    return texts


def train_tokenizer(vocab_size: int = VOCAB_SIZE, texts: list[str] | None = None):
    """A ``PreTrainedTokenizerFast`` with the chat template, trained on ``texts`` (default: corpus_text())."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    texts = corpus_text() if texts is None else texts
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(ADDED),
        special_tokens=list(SPECIAL),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
        min_frequency=2,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
        unk_token=None,
        additional_special_tokens=None,
        padding_side="left",
        truncation_side="left",
        model_max_length=2048,
        clean_up_tokenization_spaces=False,
    )
    fast.add_tokens(list(ADDED))
    fast.chat_template = CHAT_TEMPLATE
    try:
        fast.response_template = RESPONSE_TEMPLATE
    except Exception:  # pragma: no cover - older transformers: no response parsing attribute
        pass
    return fast


def make_config(vocab_size: int, size: str = "tiny", *, eos_id: int, pad_id: int):
    from transformers import Qwen3Config

    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of: {', '.join(SIZES)}")
    return Qwen3Config(
        vocab_size=vocab_size,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        attention_dropout=0.0,
        use_cache=True,
        bos_token_id=None,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        **SIZES[size],
    )


def make_tiny_model(out: str | Path, *, seed: int = 0, size: str = "tiny") -> dict:
    """Write a random-init tiny Qwen3 + tokenizer to ``out``; returns a summary (params, vocab, digest)."""
    import torch
    from transformers import GenerationConfig, Qwen3ForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tok = train_tokenizer()
    eos_id = tok.convert_tokens_to_ids("<|im_end|>")
    pad_id = tok.convert_tokens_to_ids("<|endoftext|>")
    cfg = make_config(len(tok), size, eos_id=eos_id, pad_id=pad_id)
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = Qwen3ForCausalLM(cfg)
    finally:
        torch.random.set_rng_state(state)
    model.generation_config = GenerationConfig(
        eos_token_id=eos_id, pad_token_id=pad_id, do_sample=False, max_new_tokens=64
    )
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    summary = {
        "path": str(out),
        "size": size,
        "seed": seed,
        "parameters": n_params,
        "vocab_size": len(tok),
        "digest": folder_digest(out),
    }
    (out / "arena_model.json").write_text(json.dumps({k: v for k, v in summary.items() if k != "path"}, indent=1))
    return summary


def folder_digest(path: str | Path) -> str:
    """sha256 over the (name, bytes) of every file of a saved model folder (arena_model.json excluded)."""
    h = hashlib.sha256()
    for f in sorted(Path(path).rglob("*")):
        if f.is_file() and f.name != "arena_model.json":
            h.update(str(f.relative_to(path)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
