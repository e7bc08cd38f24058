"""The generic skill curriculum the CPU arena's base model is pretrained on (``arena model base``).

Procedurally generated documents with one question each, exercising the generic skills the
eight domains' tasks are made of — not any domain's task:

  copy         copy a span: an entity named in the text, the n-th word of a line
  field        find a field in a key/value record and copy its value
  record       find a row by name and read one of its columns
  count        count the lines carrying a tag / the times an entity occurs
  filter       list the entries carrying a tag, in order of first appearance
  sum          add up 2-6 amounts
  diff         subtract: a change from a start to an end value, a gap between two values
  compare      which of two or three named values is larger / smaller
  argmax       the row of a table with the highest / lowest value in a column
  sort         names ordered by their values, numbers in order
  kv           several fields (or per-tag counts) as ``key=value`` lines in a stated order
  instruction  obey an answer-file instruction (write exactly what it says)
  rg_*         items from reasoning-gym's procedural generators (``RG_DATASETS``), verbatim

Every prompt reads data + question + an answer-format line + an answer-file line, each drawn from
many paraphrases; the four answer shapes (int, key=value lines, comma list, one token) are the
ones arena's tasks use, but the wording is this module's own.  **Nothing here comes from the arena
families** (``arena/families``): not their templates, and not their entity pools — entities are
made up here (pseudo-words from letters, codes, ids, paths, addresses) and any name that occurs
in a family pool, either half, is rejected (``family_entities``).  ``guard`` checks a sample
against the families' training tasks and the held-out suite with ``arena.contamination`` and
raises ``CurriculumOverlapError`` on any flagged pair.

Determinism: the examples of training step ``s`` come from ``random.Random`` seeded with the
string ``arena-curriculum:{seed}:{s}`` (reasoning-gym items from blocks seeded the same way), so a
resumed build sees exactly the examples an uninterrupted one does.  ``schedule`` is copy-heavy
early (copy, field, instruction) and moves to the full mix, with harder levels (more lines,
bigger numbers) as training progresses.

Modules: ``wording`` (the paraphrases a prompt is assembled from), ``entities`` (made-up names
and numbers), ``skills`` (one generator per own skill), ``schedule`` (the skill mix, levels, the
step's batch, the recipe and its digest), ``guard`` (the contamination guard).
"""

from arena.train.curriculum.entities import dictionary, entities, entity, family_entities
from arena.train.curriculum.guard import CurriculumOverlapError, guard, heldout_dir
from arena.train.curriculum.schedule import (
    EARLY,
    FORMAT_OF,
    LATE,
    OWN_SKILLS,
    RG_BLOCK,
    RG_DATASETS,
    SKILLS,
    WARM,
    batch,
    fresh,
    level_at,
    make,
    recipe,
    recipe_digest,
    sample,
    weights,
)
from arena.train.curriculum.skills import GENERATORS, Example
from arena.train.curriculum.wording import FORMAT

__all__ = ["CurriculumOverlapError", "EARLY", "Example", "FORMAT", "FORMAT_OF", "GENERATORS", "LATE", "OWN_SKILLS",
           "RG_BLOCK", "RG_DATASETS", "SKILLS", "WARM", "batch", "dictionary", "entities", "entity",
           "family_entities", "fresh", "guard", "heldout_dir", "level_at", "make", "recipe", "recipe_digest",
           "sample", "weights"]  # fmt: skip
