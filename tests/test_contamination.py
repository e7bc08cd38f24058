"""arena.contamination: planted near-duplicates are flagged, independent same-topic tasks are not."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("datasketch")

from arena.contamination import (  # noqa: E402
    JACCARD_FLAG,
    NGRAM8_FLAG,
    NGRAM13_FLAG,
    contamination_report,
    normalize,
    overlap_pairs,
    similarity,
)

# -- documents: held-out tasks, planted copies, independent tasks on the same topics --

HELD_NPV = """
# Capital budgeting: net present value of a warehouse project
You are given the projected cash flows of a warehouse automation project in /root/data/cashflows.csv.
The first row is the initial investment at year 0 and is negative. The company's weighted average
cost of capital is 8.5% per year, compounded annually. Compute the net present value of the project
at that rate, and the internal rate of return, and decide whether the project should be accepted.
Write a JSON file /root/output/answer.json with the keys "npv" (rounded to two decimals), "irr"
(as a fraction, rounded to four decimals) and "accept" (true when the NPV is positive).
Do not modify the input file. The verifier recomputes both values from the CSV and allows an
absolute tolerance of 0.01 on the NPV and 0.0001 on the IRR.
year,cash_flow
0,-125000
1,31000
2,36500
3,41000
4,38000
5,29500
def test_npv(): assert abs(answer["npv"] - expected_npv(rate=0.085)) < 0.01
def test_irr(): assert abs(answer["irr"] - expected_irr()) < 0.0001
"""

# renumbered, lightly edited copy (a word changed about every ten to fifteen words)
COPY_NPV = """
# Capital budgeting: net present value of a distribution center project
You are given the forecast cash flows of a warehouse automation project in /root/data/flows.csv.
The first row is the initial outlay at year 0 and is negative. The firm's weighted average
cost of capital is 7.25% per year, compounded annually. Compute the net present value of the project
at that rate, and the internal rate of return, and decide whether the project should be approved.
Write a JSON file /root/output/answer.json with the keys "npv" (rounded to two decimals), "irr"
(as a fraction, rounded to four decimals) and "accept" (true when the NPV is positive).
Do not change the input file. The verifier recomputes both values from the CSV and allows an
absolute tolerance of 0.01 on the NPV and 0.0001 on the IRR.
year,cash_flow
0,-98000
1,22000
2,27400
3,30100
4,28800
5,19900
def test_npv(): assert abs(answer["npv"] - expected_npv(rate=0.0725)) < 0.01
def test_irr(): assert abs(answer["irr"] - expected_irr()) < 0.0001
"""

# independent task on the same topic (NPV/IRR), written separately
OTHER_NPV = """
Task: evaluate two mutually exclusive investment options for a solar farm operator.
Option A and option B are described in seed/options.json, each with an upfront cost and a list
of annual net inflows over a ten-year horizon. Using a discount rate of 6% and end-of-year
discounting, report for each option its NPV, its payback period in years, and its profitability
index. Recommend the option with the higher NPV; if both NPVs are negative, recommend neither.
Save your report as report.json containing option_a, option_b and recommendation fields.
The checker compares your numbers with its own computation at a relative tolerance of one percent
and checks that the recommendation is consistent with the NPVs you reported.
{"A": {"cost": 400000, "inflows": [52000, 54000, 56000, 58000, 60000, 60000, 60000, 60000, 60000, 60000]},
 "B": {"cost": 250000, "inflows": [40000, 40000, 40000, 40000, 40000, 30000, 30000, 30000, 30000, 30000]}}
def test_recommendation(report): assert report["recommendation"] in ("A", "B", "neither")
"""

HELD_LOG = """
An nginx access log for one day is at /var/log/nginx/access.log. Some client has been brute
forcing the login endpoint. Find every IP address that sent more than 50 POST requests to
/api/login that returned status 401 within any sliding ten-minute window, and write them, one per
line and sorted, to /root/suspects.txt. Ignore requests from the internal network 10.0.0.0/8.
Then write a fail2ban filter at /root/nginx-login.conf whose failregex matches exactly those
failed login lines. The tests parse your filter with fail2ban-regex against a held-back log.
203.0.113.7 - - [12/Mar/2024:10:01:02 +0000] "POST /api/login HTTP/1.1" 401 17
198.51.100.23 - - [12/Mar/2024:10:01:05 +0000] "GET /index.html HTTP/1.1" 200 5120
"""

HELD_CHEM = """
Balance the following redox reaction in acidic solution and compute the mass of product formed.
Permanganate oxidizes iron(II) to iron(III) while being reduced to manganese(II). Starting from
25.0 mL of 0.0200 M KMnO4 and excess FeSO4, compute the number of moles of Fe3+ produced and its
mass in grams using a molar mass of 55.845 g/mol. Give the balanced equation with the smallest
integer coefficients as a string in answer.json under "equation", and the mass under "mass_g"
rounded to three significant figures.
"""

TEAM_A_SQL = """
A SQLite database at /root/shop.db holds tables customers, orders and order_items. Write a single
SQL query in /root/query.sql that returns, for each customer who placed at least three orders in
2023, the customer id, the number of orders and the total amount spent, ordered by total amount
descending and then by customer id. Amounts are stored in cents as integers; report them in
cents. The verifier runs your query against a freshly generated database with the same schema.
"""

# team B copied team A's task with renumbering and a reworded sentence
TEAM_B_SQL = """
A SQLite database at /root/store.db holds tables customers, orders and order_items. Write a single
SQL query in /root/query.sql that returns, for each customer who placed at least five orders in
2022, the customer id, the number of orders and the total amount spent, sorted by total amount
descending and then by customer id. Amounts are kept in cents as integers; report them in
cents. The verifier runs your query against a newly generated database with the same schema.
"""

TEAM_C_SQL = """
Given a PostgreSQL dump of a library system (books, members, loans), write a query that lists the
ten members with the most overdue loans as of 2024-01-31, where a loan is overdue when it was not
returned within 21 days. Output member_id, full_name and overdue_count. Put the query in
solution.sql; the tests load the dump into a throwaway database and compare your rows with the
reference rows, ignoring order among ties on overdue_count.
"""

# independent, deliberately close: same topic, same deliverables, written by someone else
CLOSE_NPV = """
# Project appraisal with discounted cash flows
The file /root/input/project.csv lists a factory retrofit's cash flows by year; year 0 holds the
purchase price as a negative number. Discount the flows at a 10% annual cost of capital to get
the project's NPV, find the IRR (the rate at which the NPV is zero), and say if the retrofit is
worth doing. Store the results in /root/output/result.json as "npv" (two decimal places), "irr"
(a fraction with four decimal places) and "accept" (a boolean, true exactly when NPV > 0).
Leave the CSV untouched; tests compute the reference NPV and IRR themselves and accept small
rounding differences.
year,cash_flow
0,-80000
1,20000
2,25000
3,30000
4,22000
"""

# heavier paraphrase: roughly one word in five changed, sentences kept in order
HEAVY_NPV = """
# Capital budgeting: NPV of a warehouse robotics project
You receive the projected cash flows of a warehouse robotics project in /root/data/cashflows.csv.
The first line is the initial investment in year 0 and is negative. The company's weighted average
cost of funds is 9% per year, compounded yearly. Compute the net present value of this project
at that rate, as well as the internal rate of return, and decide if the project should be accepted.
Produce a JSON file /root/output/answer.json with keys "npv" (rounded to 2 decimals), "irr"
(as a fraction, rounded to 4 decimals) and "accept" (true if the NPV is positive).
Do not edit the input file. The checker recomputes both numbers from the CSV and permits an
absolute tolerance of 0.01 on NPV and 0.0001 on IRR.
year,cash_flow
0,-110000
1,30000
2,33000
3,39000
4,35000
5,27000
"""


def _docs():
    return [
        ("npv", "heldout", HELD_NPV), ("log", "heldout", HELD_LOG), ("chem", "heldout", HELD_CHEM),
        ("a-npv", "teamA", COPY_NPV), ("a-sql", "teamA", TEAM_A_SQL),
        ("b-npv", "teamB", OTHER_NPV), ("b-close", "teamB", CLOSE_NPV), ("b-sql", "teamB", TEAM_B_SQL),
        ("c-sql", "teamC", TEAM_C_SQL),
    ]  # fmt: skip


def test_normalization_makes_renumbered_copies_identical():
    a = "Year 2023: revenue was 1,250.75 USD (up 3.5%); see table 4."
    b = "year 1999 -- Revenue was 88 usd, up 12%... See TABLE 17"
    assert normalize(a) == normalize(b) == ["year", "0", "revenue", "was", "0", "usd", "up", "0", "see", "table", "0"]
    assert normalize("12 13 14\n15,16") == ["0"]  # numeric tables collapse


def test_planted_copies_are_flagged_and_independent_same_topic_tasks_are_not():
    rep = contamination_report(_docs()).set_index("task_id")
    # renumbered, lightly reworded copy of a held-out task, in a team's corpus
    assert rep.loc["npv", "flagged"] and rep.loc["npv", "match_task_id"] == "a-npv"
    assert rep.loc["a-npv", "kind"] == "heldout" and rep.loc["a-npv", "match_source"] == "heldout"
    # one team's task copied by another team, renumbered
    assert rep.loc["b-sql", "flagged"] and rep.loc["b-sql", "match_task_id"] == "a-sql"
    assert rep.loc["b-sql", "kind"] == "cross_team"
    # same topic and deliverables (NPV/IRR into JSON), written independently: not flagged
    for t in ("b-npv", "b-close", "c-sql", "log", "chem"):
        assert not rep.loc[t, "flagged"], t
    assert rep["flagged"].sum() == 4 and rep["flagged"].iloc[:4].all()  # flagged first


def test_exact_scores_sit_on_the_documented_sides_of_the_thresholds():
    copy = similarity(HELD_NPV, COPY_NPV)
    assert copy["ngram13"] >= NGRAM13_FLAG and copy["ngram8"] >= NGRAM8_FLAG and copy["jaccard"] >= JACCARD_FLAG
    for other in (OTHER_NPV, CLOSE_NPV):
        s = similarity(HELD_NPV, other)
        assert s["ngram13"] < NGRAM13_FLAG and s["ngram8"] < NGRAM8_FLAG and s["jaccard"] < 0.05
    heavy = similarity(HELD_NPV, HEAVY_NPV)  # one word in five edited: only MinHash still sees it
    assert heavy["ngram13"] < NGRAM13_FLAG and heavy["jaccard"] >= JACCARD_FLAG
    assert similarity(HELD_LOG, HELD_LOG) == {"ngram13": 1.0, "ngram8": 1.0, "jaccard": 1.0}


def test_same_source_and_heldout_pairs_are_not_compared():
    docs = [("h1", "heldout", HELD_NPV), ("h2", "heldout", COPY_NPV), ("a1", "teamA", TEAM_A_SQL),
            ("a2", "teamA", TEAM_B_SQL)]  # fmt: skip
    assert overlap_pairs(docs).empty
    assert not contamination_report(docs)["flagged"].any()


def _words(rng, n, vocab):
    return " ".join(rng.choice(vocab, n))


def test_shared_template_text_is_not_evidence_but_a_copy_inside_it_still_is():
    rng = np.random.default_rng(0)
    vocab = ["".join(rng.choice(list(string.ascii_lowercase), rng.integers(3, 9))) for _ in range(3000)]
    template = (
        "Read the task carefully. Your solution must be written to the path given below. "
        "Do not modify the tests or the data directory. When you are done, the verifier runs "
        "pytest with the ctrf plugin and writes the reward to the logs directory. #!/bin/bash set -euo "
        "pipefail cd /root pytest --ctrf /logs/verifier/ctrf.json /tests/test_outputs.py "
        "if [ $? -eq 0 ]; then echo 1 > /logs/verifier/reward.txt; else echo 0 > /logs/verifier/reward.txt; fi"
    )
    docs = [(f"{team}-{i}", team, f"{template} {_words(rng, 120, vocab)}")
            for team in ("heldout", "teamA", "teamB", "teamC") for i in range(8)]  # fmt: skip
    # the template alone is most of what two tasks share: scored naively it would be a "match"
    assert similarity(docs[0][2], docs[8][2])["ngram13"] >= NGRAM13_FLAG
    assert not contamination_report(docs)["flagged"].any()
    words = docs[3][2].split()
    words[::12] = ["changed"] * len(words[::12])
    docs.append(("copy", "teamC", " ".join(words)))
    rep = contamination_report(docs).set_index("task_id")
    assert rep.loc["copy", "flagged"] and rep.loc["copy", "match_task_id"] == "heldout-3"
    assert rep["flagged"].sum() == 2


def test_words_beside_a_boilerplate_line_do_not_glue_onto_it():
    """Two tasks that share only a closing phrase before a boilerplate line (found in many documents)
    are not a match: no gram spans the removed line.  Scored as one run of words they would be."""
    rng = np.random.default_rng(1)
    vocab = ["".join(rng.choice(list(string.ascii_lowercase), rng.integers(3, 9))) for _ in range(3000)]
    contract = "Answer format: the name only, exactly as written above.\nWrite only the answer to /root/answer.txt."
    tail = "one of alpha, beta, gamma or delta"  # the question's last words, shared by one family only
    docs = [(f"{team}-{i}", team, f"{_words(rng, 12, vocab)}\n{_words(rng, 6, vocab)} "
             f"{tail if i == 0 else _words(rng, 7, vocab)}\n{contract}")
            for team in ("heldout", "teamA") for i in range(15)]  # fmt: skip
    assert similarity(docs[0][2], docs[15][2])["ngram13"] >= NGRAM13_FLAG  # naively: looks copied
    assert not contamination_report(docs)["flagged"].any()
    docs.append(("copy", "teamA", docs[2][2]))  # a real copy still matches
    rep = contamination_report(docs).set_index("task_id")
    assert rep.loc["copy", "flagged"] and rep.loc["copy", "match_task_id"] == "heldout-2"


def test_input_forms_and_duplicates():
    as_dicts = [{"task_id": t, "source": s, "text": x} for t, s, x in _docs()]
    frame = pd.DataFrame(_docs(), columns=["task_id", "source", "text"])
    a, b = contamination_report(as_dicts), contamination_report(frame)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="duplicate"):
        contamination_report([("x", "teamA", "a b c"), ("x", "teamA", "d e f")])
    empty = contamination_report([("x", "teamA", ""), ("y", "teamB", "")])
    assert not empty["flagged"].any()
