"""The eight competition domains: canonical ids, display names and the slugs already in use.

Task frontmatter carries a ``category`` slug.  The organizers' examples use SkillsBench-style
slugs (``natural-science``, ``office-white-collar``…); the competition reports by domain.  Every
slug in use maps to exactly one canonical domain id here; an unknown slug is an error that
suggests the closest id.
"""

from __future__ import annotations

import difflib
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
_BY_SLUG: dict[str, Domain] = {}
for _d in DOMAINS:
    _BY_SLUG[_d.id] = _d
    for _a in _d.aliases:
        _BY_SLUG[_a] = _d


def _normalize(slug: str) -> str:
    return slug.strip().lower().replace("_", "-").replace(" ", "-").replace("&", "and")


def resolve(slug: str) -> Domain | None:
    """The domain a category slug names, or None when the slug is unknown."""
    if not isinstance(slug, str):
        return None
    return _BY_SLUG.get(_normalize(slug))


def get(domain_id: str) -> Domain:
    d = resolve(domain_id)
    if d is None:
        raise KeyError(f"unknown domain {domain_id!r}; known: {', '.join(DOMAIN_IDS)}")
    return d


def suggest(slug: str) -> str:
    """The canonical id closest to an unknown slug (by spelling, over ids and aliases)."""
    close = difflib.get_close_matches(_normalize(str(slug)), list(_BY_SLUG), n=1, cutoff=0.0)
    return _BY_SLUG[close[0]].id if close else DOMAIN_IDS[0]
