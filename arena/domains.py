"""The eight competition domains: canonical ids, display names and the slugs already in use.

Task frontmatter carries a ``category`` slug.  The organizers' examples use SkillsBench-style
slugs (``natural-science``, ``office-white-collar``…), public entries use the display names
slugified (``industrial-and-energy-operations``, ``ai-ml-and-agentic-systems``); the competition
reports by domain.  Matching is systematic rather than one alias per spelling: a category is
reduced to its words (case folded; ``_``, spaces, ``/``, ``.`` and ``-`` separate words; ``&`` and
the filler words *and*, *or*, *of*, *the* are dropped) and compared with the words of every id,
display name and alias.  So ``Industrial & Energy Operations``, ``industrial_and_energy_operations``
and ``INDUSTRIAL-ENERGY-OPERATIONS`` are one domain.

A category that is none of them gets a suggestion only when it is really close to one spelling
(a typo, a truncation such as ``cybersec``); ``data_processing_and_etl`` or ``unknown`` get none.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "sciences",
        "Sciences",
        (
            "science",
            "natural-science",
            "natural-sciences",
            "life-science",
            "physical-science",
            "mathematics",
            "mathematics-or-formal-reasoning",
            "formal-reasoning",
            "research",
        ),
    ),
    Domain(
        "industrial-energy",
        "Industrial & Energy Operations",
        (
            "industrial",
            "industrial-energy-operations",
            "industrial-physical-systems",
            "energy",
            "engineering",
            "manufacturing",
        ),
    ),
    Domain("cybersecurity", "Cybersecurity", ("security", "cyber-security", "infosec")),
    Domain(
        "finance-economics",
        "Finance & Economics",
        ("finance", "economics", "financial-analysis", "finance-and-economics"),
    ),
    Domain(
        "office-knowledge-work",
        "Office & Knowledge Work",
        ("office", "office-white-collar", "knowledge-work", "white-collar", "office-and-knowledge-work"),
    ),
    Domain(
        "media-multimodal",
        "Media & Multimodal Content",
        ("media", "media-content-production", "multimodal", "media-and-multimodal-content", "content"),
    ),
    Domain(
        "ai-ml-agentic",
        "AI/ML & Agentic Systems",
        ("ai-ml", "ai-ml-and-agentic-systems", "machine-learning", "agentic-systems", "ml"),
    ),
    Domain(
        "software-engineering",
        "Software Engineering",
        ("software", "swe", "coding", "programming"),
    ),
)

DOMAIN_IDS: tuple[str, ...] = tuple(d.id for d in DOMAINS)
FILLER_WORDS = frozenset({"and", "or", "of", "the"})
SUGGEST_CUTOFF = 0.8  # difflib ratio over the joined words: one or two typos in a domain's spelling
_MIN_PREFIX = 5  # a truncation (``cybersec``, ``finance-econ``) of at least this many letters


def words(slug: str) -> tuple[str, ...]:
    """The words of a category: case folded, split on any run of non-alphanumerics, ``&`` and the
    filler words dropped.  ``AI/ML & Agentic Systems`` → ``('ai', 'ml', 'agentic', 'systems')``."""
    return tuple(w for w in re.split(r"[^0-9a-z]+", str(slug).casefold()) if w and w not in FILLER_WORDS)


def _key(slug: str) -> str:
    return "-".join(words(slug))


_BY_KEY: dict[str, Domain] = {}
for _d in DOMAINS:
    for _spelling in (_d.id, _d.name, *_d.aliases):
        _BY_KEY.setdefault(_key(_spelling), _d)


def resolve(slug: str) -> Domain | None:
    """The domain a category names (any spelling of its id, display name or aliases), else None."""
    if not isinstance(slug, str):
        return None
    return _BY_KEY.get(_key(slug))


def get(domain_id: str) -> Domain:
    d = resolve(domain_id)
    if d is None:
        raise KeyError(f"unknown domain {domain_id!r}; known: {', '.join(DOMAIN_IDS)}")
    return d


def suggest(slug: str) -> str | None:
    """The domain id an unknown category is really close to, else None.

    Close means: a spelling whose words, joined, differ by a typo or two (difflib ratio ≥
    ``SUGGEST_CUTOFF``), or one the category truncates (a prefix of ≥ ``_MIN_PREFIX`` letters).  Anything else — another subject (``data_processing_and_etl``), a placeholder
    (``unknown``) — gets no suggestion rather than an arbitrary domain."""
    key = _key(str(slug))
    if not key:
        return None
    if key in _BY_KEY:
        return _BY_KEY[key].id
    close = difflib.get_close_matches(key, list(_BY_KEY), n=1, cutoff=SUGGEST_CUTOFF)
    if close:
        return _BY_KEY[close[0]].id
    flat = key.replace("-", "")
    if len(flat) >= _MIN_PREFIX:
        for known, d in _BY_KEY.items():
            if known.replace("-", "").startswith(flat):
                return d.id
    return None


def hint(slug: str) -> str:
    """The fix line for an unknown category: the close domain, or the list of the eight."""
    close = suggest(slug)
    if close:
        return f"did you mean {close!r}? (a category must name one of the eight domains)"
    return f"{str(slug)!r} is none of the eight domains; use one of: {', '.join(DOMAIN_IDS)}"
