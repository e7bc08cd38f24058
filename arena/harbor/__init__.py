"""Convert task packages to and from the Harbor / Terminal-Bench task layout.

==================  ================================================================
arena package       Harbor task
==================  ================================================================
task.md frontmatter ``task.toml`` ([metadata], [agent], [verifier], [environment])
task.md ``## prompt`` ``instruction.md``
environment/        environment/ (Dockerfile + build context, unchanged)
verifier/           tests/ (``test.sh`` writes ``/logs/verifier/reward.txt`` in both)
oracle/             solution/ (``solve.sh``)
==================  ================================================================

Nothing that cannot be mapped is dropped silently: every such field comes back as a
:class:`Note` (field, why, where it was kept).  Export keeps the verbatim ``task.md``, the package
digest and the arena-only fields (``agent.answer_file``, ``environment.base_image``, fractional
cpus) under ``[metadata.arena]`` (Harbor's metadata table is free-form), so export → import
rebuilds the same bytes (same digest) unless the Harbor copy was edited; then ``task.md`` is
regenerated from ``task.toml`` + ``instruction.md`` and a note says so.  Import of a foreign Harbor
task keeps Harbor-only settings (env vars, users, network allowlists, healthchecks…) under
``metadata.harbor`` in the frontmatter, and export puts them back in their TOML sections.

Defaults differ between the two formats (Harbor: internet allowed, verifier 600 s, no agent
limit; arena: no internet, verifier 180 s, agent 900 s), so import writes every limit explicitly
with Harbor's meaning.

The modules: :mod:`~arena.harbor.notes` (notes, constants), :mod:`~arena.harbor.tomlwriter`,
:mod:`~arena.harbor.mounts` (mount points), :mod:`~arena.harbor.export`, :mod:`~arena.harbor.frontmatter`
and :mod:`~arena.harbor.importing` (import), :mod:`~arena.harbor.needs` (what an imported task needs).
"""

from __future__ import annotations

from arena.harbor.export import export_harbor, export_task, harbor_config
from arena.harbor.frontmatter import frontmatter_from_harbor
from arena.harbor.importing import import_harbor, import_task, is_harbor_task, summary
from arena.harbor.mounts import MOUNTS, mentions_mount, mount_points
from arena.harbor.notes import ARENA_AGENT_TIMEOUT, FOLDERS, HARBOR_DEFAULTS, Converted, Note
from arena.harbor.tomlwriter import dump_toml

__all__ = ["ARENA_AGENT_TIMEOUT", "FOLDERS", "HARBOR_DEFAULTS", "MOUNTS", "Converted", "Note", "dump_toml",
           "export_harbor", "export_task", "frontmatter_from_harbor", "harbor_config", "import_harbor",
           "import_task", "is_harbor_task", "mentions_mount", "mount_points", "summary"]
