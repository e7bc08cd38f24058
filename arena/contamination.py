"""Contamination guard: near-duplicate text between training tasks and the held-out suite, and
across different teams' entries.

A *document* is one task: ``(task_id, source, text)`` where source is a team (or corpus) name, or
the held-out suite's name, and the caller concatenates the prompt, seed data and verifier data.

Normalization — what lets a renumbered, lightly edited copy still match: NFKC, lowercase; every
run of digits becomes ``0``; every character that is not a letter or digit becomes a space (so
punctuation and markup vanish); consecutive ``0`` tokens collapse into one (``12.5, 3`` and
``7.25, 10`` both read ``0``: renumbering changes nothing, and numeric seed tables do not make all
documents look alike); whitespace collapses.  Tokens are the words that remain.

Scores of a pair (a, b):

* ``ngram13``, ``ngram8``: the overlap coefficient of the two word n-gram sets,
  |A ∩ B| / min(|A|, |B|) — the share of the smaller document's n-grams found verbatim in the
  other, so a short task pasted inside a long one still scores 1.  (A document shorter than n
  words is one n-gram: itself.)
* ``jaccard``: MinHash estimate (``datasketch``, NUM_PERM permutations) of the Jaccard similarity
  of the documents' SHINGLE-word shingle sets: whole-document similarity, robust to small edits.

Template text — lines, then grams, found in many documents (instruction boilerplate, a shared
answer-format sentence, a shared ``test.sh``) — is removed before anything is scored
(TEMPLATE_MIN_DOCS, TEMPLATE_SHARE; no gram spans a removed line).  Candidate pairs (so
thousands of tasks never mean millions of comparisons): documents sharing an 8-gram, from an
inverted index, plus ``MinHashLSH`` neighbours at LSH_THRESHOLD; only candidates are scored.
Pairs inside one source and between two held-out tasks are not compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from arena import namedpath

# 13-grams: the contamination unit of the GPT-3 and PaLM reports; 13 identical normalized words
# in a row essentially never happen by chance, so a tenth of a task's 13-grams reappearing
# elsewhere is a copy, while a shared template sentence or two stays below it.
NGRAM13_FLAG = 0.10
# 8-grams survive light paraphrase: with one word in ten edited, 0.9^8 ≈ 43% of 8-grams survive
# (13-grams: 25%); independent tasks on one topic share a few percent (common phrases).
NGRAM8_FLAG = 0.25
# MinHash over 3-word shingles: one edit in ten words keeps 0.9^3 ≈ 73% of shingles, Jaccard
# ≈ 0.73 / 1.27 ≈ 0.57; one edit in five keeps ≈ 51%, Jaccard ≈ 0.34.  Independent tasks on the
# same topic with the same deliverables measure 0.003-0.015 (tests/test_contamination.py): 0.3
# catches the heavier paraphrase with a wide margin on the other side; MinHash's noise at 0.3 is
# ±0.04 (sqrt(J(1-J)/128)).
JACCARD_FLAG = 0.3
SHINGLE = 3
NUM_PERM = 128
LSH_THRESHOLD = 0.2  # below the flag: LSH proposes, exact scores decide
# template text: a gram in more than max(10, 5% of documents) documents (see _features); a task
# copied into fewer than ten documents stays visible whatever the corpus size
TEMPLATE_MIN_DOCS = 10
TEMPLATE_SHARE = 0.05
_MIX = np.uint64(0x9E3779B97F4A7C15)
_BASE = np.uint64(0x100000001B3)


def normalize(text: str) -> list[str]:
    """The normalized word tokens of a text (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).lower()
    words = re.sub(r"[\W_]+", " ", re.sub(r"\d+", " 0 ", text)).split()
    return [w for k, w in enumerate(words) if w != "0" or k == 0 or words[k - 1] != "0"]


def _ngrams(ids: np.ndarray, n: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word n-grams of a token-id array (wrapping arithmetic)."""
    if ids.size == 0:
        return np.empty(0, dtype=np.uint64)
    n = min(n, ids.size)
    win = np.lib.stride_tricks.sliding_window_view(ids * _MIX + np.uint64(1), n)
    powers = _BASE ** np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return np.unique((win * powers).sum(axis=1, dtype=np.uint64))


def _docs_frame(docs) -> pd.DataFrame:
    if not isinstance(docs, pd.DataFrame):
        rows = list(docs)
        docs = pd.DataFrame(rows, columns=None if rows and isinstance(rows[0], dict) else ["task_id", "source", "text"])
    df = docs[["task_id", "source", "text"]].reset_index(drop=True)
    if df.duplicated(["source", "task_id"]).any():
        raise ValueError("duplicate (source, task_id) documents")
    return df


def _features(texts: Iterable[str], template: bool = True) -> list[list[np.ndarray]]:
    """Per document: [13-grams, 8-grams, shingles] as sorted hash arrays, template text removed.

    Template text is evidence of nothing and would otherwise make every pair of template-sharing
    tasks look alike.  Two passes, both with the limit max(TEMPLATE_MIN_DOCS, TEMPLATE_SHARE ·
    #docs): first whole *lines* found in more documents than that (an answer-format
    sentence, the answer-file instruction) are cut out, and no gram spans the cut — otherwise
    the words next to a boilerplate line (the end of the question before a shared format line)
    would glue onto it into grams that look copied; then *grams* found in more documents than
    that (boilerplate inside lines, a shared test.sh) are dropped."""
    texts = [str(x) for x in texts]
    limit = max(TEMPLATE_MIN_DOCS, TEMPLATE_SHARE * len(texts))
    docs_lines = [[tuple(normalize(line)) for line in t.splitlines()] for t in texts]
    boiler: set[tuple[str, ...]] = set()
    if template:
        line_df: dict[tuple[str, ...], int] = {}
        for lines in docs_lines:
            for key in {x for x in lines if x}:
                line_df[key] = line_df.get(key, 0) + 1
        boiler = {k for k, c in line_df.items() if c > limit}
    vocab: dict[str, int] = {}
    feats = []
    for lines in docs_lines:
        blocks: list[list[int]] = [[]]
        for line in lines:
            if line in boiler:
                blocks.append([])
            else:
                blocks[-1] += [vocab.setdefault(w, len(vocab)) for w in line]
        arrays = [np.array(b, dtype=np.uint64) for b in blocks if b]
        size = sum(a.size for a in arrays)
        grams = []
        for n in (13, 8, SHINGLE):
            if size < n:  # a short document is one gram: itself
                grams.append(_ngrams(np.concatenate(arrays) if arrays else np.empty(0, np.uint64), n))
            else:
                parts = [_ngrams(a, n) for a in arrays if a.size >= n]
                grams.append(np.unique(np.concatenate(parts)) if parts else np.empty(0, np.uint64))
        feats.append(grams)
    for k in range(3 if template else 0):
        grams, df = np.unique(np.concatenate([f[k] for f in feats] or [np.empty(0, np.uint64)]), return_counts=True)
        common = grams[df > limit]
        if common.size:
            for f in feats:
                f[k] = f[k][~np.isin(f[k], common, assume_unique=True)]
    return feats


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    return np.intersect1d(a, b, assume_unique=True).size / min(a.size, b.size) if a.size and b.size else 0.0


def similarity(text_a: str, text_b: str) -> dict[str, float]:
    """Exact scores of two texts alone (no template removal): ngram13, ngram8 and the exact
    Jaccard of their shingle sets (what the tables' MinHash ``jaccard`` estimates)."""
    (a13, a8, ash), (b13, b8, bsh) = _features([text_a, text_b], template=False)
    union = np.union1d(ash, bsh).size
    return {"ngram13": _overlap(a13, b13), "ngram8": _overlap(a8, b8),
            "jaccard": np.intersect1d(ash, bsh).size / union if union else 0.0}  # fmt: skip


def _identity(x):
    return x


def overlap_pairs(docs: pd.DataFrame | Iterable, *, heldout: str | Collection[str] = "heldout") -> pd.DataFrame:
    """Every candidate pair, scored: task_id_a, source_a, task_id_b, source_b, kind (``heldout``:
    one side is held out; ``cross_team``: two training sources), ngram13, ngram8, jaccard,
    flagged, reason (the thresholds crossed).  ``docs``: a DataFrame or an iterable of dicts or
    ``(task_id, source, text)`` tuples; ``heldout``: the source name(s) of the sealed suite."""
    from datasketch import MinHash, MinHashLSH

    df = _docs_frame(docs)
    held = {heldout} if isinstance(heldout, str) else set(heldout)
    feats = _features(df["text"])
    lsh, sigs = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM), []
    for i, (_, _, shingles) in enumerate(feats):
        m = MinHash(num_perm=NUM_PERM, hashfunc=_identity)
        m.update_batch((shingles >> np.uint64(32)).tolist())
        sigs.append(m)
        if shingles.size:  # an empty document resembles nothing
            lsh.insert(i, m)
    g8 = [f[1] for f in feats]
    post = pd.DataFrame({"h": np.concatenate(g8), "doc": np.repeat(np.arange(len(g8)), [g.size for g in g8])})
    shared = post.merge(post, on="h")  # template grams are gone: posting lists stay short
    cand = set(zip(shared["doc_x"], shared["doc_y"]))
    cand |= {(i, j) for i, m in enumerate(sigs) if feats[i][2].size for j in lsh.query(m)}
    src = df["source"].to_numpy()
    rows = []
    for i, j in sorted({(min(p), max(p)) for p in cand if p[0] != p[1]}):
        if src[i] == src[j] or (src[i] in held and src[j] in held):
            continue
        s13, s8, jac = _overlap(feats[i][0], feats[j][0]), _overlap(feats[i][1], feats[j][1]), sigs[i].jaccard(sigs[j])
        why = [name for name, v, cut in (("ngram13", s13, NGRAM13_FLAG), ("ngram8", s8, NGRAM8_FLAG),
                                         ("jaccard", jac, JACCARD_FLAG)) if v >= cut]  # fmt: skip
        kind = "heldout" if src[i] in held or src[j] in held else "cross_team"
        rows.append((i, j, kind, s13, s8, jac, bool(why), ", ".join(why)))
    out = pd.DataFrame(rows, columns=["i", "j", "kind", "ngram13", "ngram8", "jaccard", "flagged", "reason"])
    ids = df["task_id"].to_numpy()
    first = {"task_id_a": ids[out["i"].to_numpy(int)], "source_a": src[out["i"].to_numpy(int)],
             "task_id_b": ids[out["j"].to_numpy(int)], "source_b": src[out["j"].to_numpy(int)]}  # fmt: skip
    return pd.concat([pd.DataFrame(first), out.drop(columns=["i", "j"])], axis=1)


def contamination_report(docs: pd.DataFrame | Iterable, *,
                         heldout: str | Collection[str] = "heldout") -> pd.DataFrame:  # fmt: skip
    """One row per document: task_id, source, its closest match among the documents it is
    compared with (held-out ↔ training, team ↔ other team) — match_task_id, match_source, kind,
    ngram13, ngram8, jaccard, score (= the largest of the three) — then flagged (some match crosses
    a threshold), n_flagged (how many do) and reason.  Flagged matches rank first, then by score;
    a document with no candidate has empty match columns and score 0.  Sorted flagged first."""
    df = _docs_frame(docs)
    pairs = overlap_pairs(df, heldout=heldout)
    side = {"task_id_a": "task_id", "source_a": "source", "task_id_b": "match_task_id", "source_b": "match_source"}
    other = {"task_id_b": "task_id", "source_b": "source", "task_id_a": "match_task_id", "source_a": "match_source"}
    both = pd.concat([pairs.rename(columns=side), pairs.rename(columns=other)], ignore_index=True)
    both["score"] = both[["ngram13", "ngram8", "jaccard"]].max(axis=1)
    both = both.sort_values(["flagged", "score"], ascending=False, kind="stable")
    n_flag = both.groupby(["source", "task_id"])["flagged"].sum()
    best = both.drop_duplicates(["source", "task_id"]).set_index(["source", "task_id"])
    out = df[["task_id", "source"]].join(best, on=["source", "task_id"])
    out["n_flagged"] = out.set_index(["source", "task_id"]).index.map(n_flag).fillna(0).astype(int)
    out["flagged"] = out["flagged"].fillna(False).astype(bool)
    out["score"] = out["score"].fillna(0.0)
    cols = ["task_id", "source", "match_task_id", "match_source", "kind", "ngram13", "ngram8", "jaccard",
            "score", "flagged", "n_flagged", "reason"]  # fmt: skip
    return out[cols].sort_values(["flagged", "score"], ascending=False, kind="stable").reset_index(drop=True)


# -- documents: what the guard reads of a task ------------------------------------------------------

HELDOUT = "heldout"
TEXT_LIMIT = 256 * 1024  # per file: seed data and verifier data, not blobs
#: what the contamination guard reads besides the prompt: data, not the harness around it
#: (scripts, Dockerfiles and rubric prose are shared boilerplate of a generator or a team's style)
CODE_SUFFIXES = {".py", ".sh", ".bash"}
SKIP_NAMES = {"Dockerfile", "verifier.md", "README.md"}


class CorpusError(ValueError):
    """A corpus given to the guard cannot be read (missing folder, no task, two with one name)."""


def task_text(root: Path) -> str:
    """What a contamination check reads of a task: the prompt, then the seed data under
    environment/ and the verifier's data under verifier/ (every UTF-8 text file up to TEXT_LIMIT
    bytes, in path order) — the issue's "prompt, seed data, verifier data".  Code, the
    Dockerfile, rubrics and verifier.md are left out, and so is the oracle."""
    from arena.task import load_task

    parts = []
    task, _ = load_task(root)
    if task is not None:
        parts.append(task.spec.prompt)
    for sub in ("environment", "verifier"):
        base = root / sub
        if not base.is_dir():
            continue
        for f in sorted(p for p in base.rglob("*") if p.is_file()):
            if f.suffix in CODE_SUFFIXES or f.name in SKIP_NAMES or "rubrics" in f.parts:
                continue
            if f.stat().st_size > TEXT_LIMIT:
                continue
            try:
                parts.append(f.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, OSError):
                continue
    return "\n".join(parts)


def corpus_documents(specs: list, heldout: str | None):
    """(docs DataFrame task_id, source, text; {source: path}) for the contamination guard: each
    corpus (NAME=PATH or PATH, named after its folder) and the held-out suite (source HELDOUT)."""
    from arena.corpus import load_tasks

    rows, sources = [], {}
    named = [(None, heldout, HELDOUT)] if heldout else []
    for spec in specs:
        name, path = namedpath.split(spec)
        named.append((name, path, None))
    for name, path, fixed in named:
        p = Path(path)
        if not p.exists():
            raise CorpusError(
                f"{p}: no such corpus folder (give a task tree, a team entry or the held-out suite)"
            )
        source = fixed or name or p.resolve().name
        if source in sources:
            raise CorpusError(f"two corpora are named {source!r}: name them NAME=PATH")
        tasks, _ = load_tasks([p])
        if not tasks:
            raise CorpusError(f"{p}: no task found (a corpus is a folder of task packages)")
        sources[source] = str(p)
        rows += [(t.id, source, task_text(t.root)) for t in tasks]
    return pd.DataFrame(rows, columns=["task_id", "source", "text"]).drop_duplicates(
        ["source", "task_id"]
    ), sources
