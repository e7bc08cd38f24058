"""Hostile input never crashes the parsers: every malformed input becomes a finding (quick profile).

bench/fuzz_parsers.py runs the same properties for >= 10,000 cases.
"""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arena.fuzzing import fuzz_reward, fuzz_submission, fuzz_task_md, yaml_docs

FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(frontmatter=st.one_of(yaml_docs(), st.text(), st.binary(max_size=400)), body=st.text(string.printable, max_size=200))
def test_task_md_never_crashes(frontmatter, body, tmp_path_factory):
    fuzz_task_md(tmp_path_factory.mktemp("t"), frontmatter, body)


@FAST
@given(doc=st.one_of(yaml_docs(), st.text(), st.binary(max_size=300)))
def test_submission_yaml_never_crashes(doc, tmp_path_factory):
    fuzz_submission(tmp_path_factory.mktemp("s"), doc)


@FAST
@given(st.one_of(st.none(), st.binary(max_size=64)), st.one_of(st.none(), st.binary(max_size=200), yaml_docs()))
def test_reward_files_never_crash(txt, js):
    fuzz_reward(txt, js)
