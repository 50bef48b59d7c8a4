"""Pure grading of every question type: right, wrong, partial and malformed answers."""

from decimal import Decimal

import pytest

from assessments.grading import attempt_score, option_order, question_score
from assessments.models import Question


def choice_question(kind="multiple", *, correct=("a", "b"), keys="abcd", **fields) -> Question:
    return Question(
        key=fields.pop("key", "q"),
        kind=kind,
        choices=[{"key": k, "text": k.upper(), "correct": k in correct} for k in keys],
        **fields,
    )


def numeric(answer=12.5, tolerance=0.1, **fields) -> Question:
    return Question(
        key=fields.pop("key", "n"),
        kind="numeric",
        spec={"answer": answer, "tolerance": tolerance},
        choices=[],
        **fields,
    )


def short_text(answers=("Bitcoin",), pattern=None, case_sensitive=False) -> Question:
    return Question(
        key="t",
        kind="short_text",
        spec={"answers": list(answers), "pattern": pattern, "case_sensitive": case_sensitive},
        choices=[],
    )


def ordering(keys="abcd", *, partial=False, shuffle=True, key="o") -> Question:
    return Question(
        key=key,
        kind="ordering",
        spec={"items": [{"key": k, "text": f"Step {k}"} for k in keys]},
        choices=[],
        partial=partial,
        shuffle=shuffle,
    )


def matching(keys="abcd", *, partial=False) -> Question:
    return Question(
        key="m",
        kind="matching",
        spec={"pairs": [{"key": k, "left": f"L{k}", "right": f"R{k}"} for k in keys]},
        choices=[],
        partial=partial,
    )


# Single choice and true/false: exactly the one right key.


@pytest.mark.parametrize(
    ("value", "score"),
    [(["a"], 1.0), ("a", 1.0), (["b"], 0.0), (["a", "b"], 0.0), ([], 0.0), (["zz"], 0.0)],
)
def test_single_choice_scores_only_the_exact_right_choice(value, score):
    question = choice_question("single", correct=("a",), keys="abc")
    assert question_score(question, value) == score


def test_single_choice_ignores_partial_flag():
    question = choice_question("single", correct=("a",), keys="abc", partial=True)
    assert question_score(question, ["a", "b"]) == 0.0


@pytest.mark.parametrize(
    ("answer", "value", "score"),
    [
        (True, ["true"], 1.0),
        (True, ["false"], 0.0),
        (False, ["false"], 1.0),
        (False, ["true"], 0.0),
        (True, ["true", "false"], 0.0),
    ],
)
def test_true_false_scores_the_exact_answer(answer, value, score):
    question = Question(
        key="tf",
        kind="true_false",
        choices=[
            {"key": "true", "text": "True", "correct": answer is True},
            {"key": "false", "text": "False", "correct": answer is False},
        ],
    )
    assert question_score(question, value) == score


# Multiple choice: all-or-nothing by default, right minus wrong with partial credit.


@pytest.mark.parametrize(
    ("value", "score"),
    [(["a", "b"], 1.0), (["b", "a"], 1.0), (["a"], 0.0), (["a", "b", "c"], 0.0), ([], 0.0)],
)
def test_multiple_choice_without_partial_is_all_or_nothing(value, score):
    assert question_score(choice_question(), value) == score


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (["a", "b"], 1.0),
        (["a"], 0.5),  # one of two right
        (["a", "b", "c"], 0.5),  # both right, one of two wrong
        (["a", "c"], 0.0),  # 0.5 - 0.5
        (["a", "c", "d"], 0.0),  # 0.5 - 1.0, floored at 0
        (["c", "d"], 0.0),  # -1.0, floored at 0
        ([], 0.0),
    ],
)
def test_multiple_choice_partial_is_right_minus_wrong_floored_at_zero(value, score):
    assert question_score(choice_question(partial=True), value) == pytest.approx(score)


def test_multiple_choice_partial_ignores_unknown_option_keys():
    question = choice_question(partial=True)
    assert question_score(question, ["a", "zz", "yy"]) == pytest.approx(0.5)
    assert question_score(question, ["a", "b", "zz"]) == 1.0


def test_multiple_choice_partial_with_no_wrong_options():
    question = choice_question(partial=True, correct=("a", "b", "c"), keys="abc")
    assert question_score(question, ["a", "b"]) == pytest.approx(2 / 3)


# Numeric: tolerance bounds and the ways people type numbers.


@pytest.mark.parametrize(
    ("value", "score"),
    [
        ("12.5", 1.0),
        ("12.6", 1.0),  # exactly at the upper bound
        ("12.4", 1.0),  # exactly at the lower bound
        ("12.61", 0.0),
        ("12.39", 0.0),
        ("12.6000001", 0.0),
    ],
)
def test_numeric_tolerance_bound_is_inclusive(value, score):
    assert question_score(numeric(), [value]) == score


def test_numeric_without_tolerance_needs_the_exact_number():
    question = numeric(answer=3, tolerance=0)
    assert question_score(question, ["3"]) == 1.0
    assert question_score(question, ["3.0"]) == 1.0
    assert question_score(question, ["3.0001"]) == 0.0


@pytest.mark.parametrize("value", ["1,5", "1.5", " 1.5 ", ["1,5"], "\u00a01.5", "\uff11.\uff15"])
def test_numeric_reads_comma_dot_and_spaces_the_same(value):
    assert question_score(numeric(answer=1.5, tolerance=0), value) == 1.0


@pytest.mark.parametrize(
    "value",
    ["", "   ", [], [""], "abc", "1.5.5", "1,5,5x", "NaN", "Infinity", "-inf", {"x": 1}, True],
)
def test_numeric_garbage_and_empty_score_zero(value):
    assert question_score(numeric(answer=1.5, tolerance=0), value) == 0.0


@pytest.mark.parametrize("value", ["1e999999999", "-1e999999999", "9e99999999999"])
def test_numeric_absurd_exponent_scores_zero_instead_of_raising(value):
    # The value is autosaved as typed; a grader that raises would make submit fail forever.
    assert question_score(numeric(), [value]) == 0.0


def test_numeric_negative_answer():
    question = numeric(answer=-2, tolerance=0.5)
    assert question_score(question, ["-2.5"]) == 1.0
    assert question_score(question, ["2"]) == 0.0


# Short text: normalised comparison, or a pattern.


@pytest.mark.parametrize(
    "value",
    [
        "Bitcoin",
        "bitcoin",
        "  BITCOIN  ",
        ["bItCoIn"],
        "\uff22\uff49\uff54\uff43\uff4f\uff49\uff4e",
    ],  # fullwidth: NFKC
)
def test_short_text_matches_case_spaces_and_unicode_forms(value):
    assert question_score(short_text(), value) == 1.0


def test_short_text_collapses_inner_whitespace():
    question = short_text(answers=["cold wallet"])
    assert question_score(question, ["cold    wallet"]) == 1.0
    assert question_score(question, ["cold\twallet"]) == 1.0
    assert question_score(question, ["coldwallet"]) == 0.0


def test_short_text_accepts_any_listed_answer():
    question = short_text(answers=["BTC", "Bitcoin"])
    assert question_score(question, ["btc"]) == 1.0
    assert question_score(question, ["bitcoin"]) == 1.0
    assert question_score(question, ["ether"]) == 0.0


@pytest.mark.parametrize("value", ["", "   ", [], [""], None, {"a": "b"}])
def test_short_text_empty_answers_score_zero(value):
    assert question_score(short_text(), value) == 0.0


def test_short_text_pattern_must_match_the_whole_answer():
    question = short_text(answers=[], pattern=r"bc1[a-z0-9]{6,}")
    assert question_score(question, ["bc1qxyz123"]) == 1.0
    assert question_score(question, ["BC1QXYZ123"]) == 1.0  # case-insensitive by default
    assert question_score(question, ["  bc1qxyz123 "]) == 1.0
    assert question_score(question, ["address bc1qxyz123"]) == 0.0
    assert question_score(question, ["bc1q"]) == 0.0


def test_short_text_case_sensitive_answers_and_pattern():
    question = short_text(answers=["TxID"], pattern=r"0x[0-9a-f]+", case_sensitive=True)
    assert question_score(question, ["TxID"]) == 1.0
    assert question_score(question, [" TxID "]) == 1.0
    assert question_score(question, ["txid"]) == 0.0
    assert question_score(question, ["0xabc"]) == 1.0
    assert question_score(question, ["0xABC"]) == 0.0


def test_short_text_broken_pattern_scores_zero():
    assert question_score(short_text(answers=[], pattern="(["), ["anything"]) == 0.0


# Ordering: the exact order, or the share of items in place with partial credit.


@pytest.mark.parametrize(
    ("value", "exact", "partial"),
    [
        (["a", "b", "c", "d"], 1.0, 1.0),
        (["b", "a", "c", "d"], 0.0, 0.5),
        (["a", "b", "d", "c"], 0.0, 0.5),
        (["d", "c", "b", "a"], 0.0, 0.0),
        (["a", "c", "b", "d"], 0.0, 0.5),
        (["a", "b", "c"], 0.0, 0.0),  # an item missing
        (["a", "b", "c", "d", "e"], 0.0, 0.0),  # an unknown item
        (["a", "a", "c", "d"], 0.0, 0.0),  # an item twice
        ([], 0.0, 0.0),
        ("abcd", 0.0, 0.0),
        ({"a": 1}, 0.0, 0.0),
    ],
)
def test_ordering_exact_and_partial(value, exact, partial):
    assert question_score(ordering(), value) == exact
    assert question_score(ordering(partial=True), value) == pytest.approx(partial)


# Matching: every left item with its own right item.


@pytest.mark.parametrize(
    ("value", "exact", "partial"),
    [
        ({"a": "a", "b": "b", "c": "c", "d": "d"}, 1.0, 1.0),
        ({"a": "a", "b": "b", "c": "d", "d": "c"}, 0.0, 0.5),
        ({"a": "a"}, 0.0, 0.25),
        ({"a": "b", "b": "a"}, 0.0, 0.0),
        ({"a": "a", "zz": "zz", "b": "b", "c": "c", "d": "d"}, 1.0, 1.0),  # unknown left ignored
        ({}, 0.0, 0.0),
    ],
)
def test_matching_exact_and_partial(value, exact, partial):
    assert question_score(matching(), value) == exact
    assert question_score(matching(partial=True), value) == pytest.approx(partial)


@pytest.mark.parametrize("value", [["a", "b", "c", "d"], "a", 3, [{"a": "a"}]])
def test_matching_non_mapping_scores_zero(value):
    assert question_score(matching(partial=True), value) == 0.0


# Missing answers and whole attempts.


@pytest.mark.parametrize(
    "question",
    [
        choice_question("single", correct=("a",)),
        choice_question(partial=True),
        numeric(),
        short_text(),
        ordering(partial=True),
        matching(partial=True),
    ],
    ids=lambda q: q.kind,
)
@pytest.mark.parametrize("value", [None, [], "", {}])
def test_missing_answers_score_zero(question, value):
    assert question_score(question, value) == 0.0


def test_malformed_answer_key_scores_zero_instead_of_raising():
    broken = Question(key="b", kind="ordering", spec={}, choices=[])
    assert question_score(broken, ["a", "b"]) == 0.0
    assert question_score(Question(key="n", kind="numeric", spec={}), ["1"]) == 0.0


def test_attempt_score_ignores_answers_to_questions_not_drawn():
    drawn = [choice_question("single", correct=("a",), key="q1"), numeric(key="q2")]
    answers = {"q1": ["a"], "q2": ["0"], "q3": ["a"], "other": {"x": "y"}}
    percent, scores = attempt_score(drawn, answers)
    assert percent == Decimal("50.00")
    assert scores == {"q1": 1.0, "q2": 0.0}


def test_attempt_score_weights_questions_by_points():
    questions = [
        choice_question("single", correct=("a",), key="q1", points=1),
        numeric(key="q2", points=3),
    ]
    assert attempt_score(questions, {"q1": ["a"]})[0] == Decimal("25.00")
    assert attempt_score(questions, {"q2": ["12.5"]})[0] == Decimal("75.00")
    assert attempt_score(questions, {"q1": ["a"], "q2": ["12.5"]})[0] == Decimal("100.00")


def test_attempt_score_weights_partial_credit_and_rounds_half_up():
    questions = [
        ordering("abc", partial=True, key="q1"),  # 1/3 right
        choice_question("single", correct=("a",), key="q2", points=2),
    ]
    percent, scores = attempt_score(questions, {"q1": ["a", "c", "b"], "q2": ["b"]})
    assert scores["q1"] == pytest.approx(1 / 3)
    assert percent == Decimal("11.11")  # (1/3) / 3 points
    percent, _ = attempt_score([ordering("abc", partial=True)], {"o": ["c", "b", "a"]})
    assert percent == Decimal("33.33")


def test_attempt_score_of_nothing_is_zero():
    assert attempt_score([], {"q1": ["a"]}) == (Decimal("0.00"), {})


# The order options are shown in.


def five_options(**fields) -> Question:
    return choice_question("single", correct=("a",), keys="abcde", **fields)


def test_option_order_is_the_same_for_the_same_seed_and_question():
    question = five_options(key="q7")
    assert option_order(question, 1234) == option_order(question, 1234)
    assert sorted(option_order(question, 1234)) == list("abcde")


def test_option_order_differs_between_seeds_and_questions():
    orders = {tuple(option_order(five_options(key="q7"), seed)) for seed in range(20)}
    assert len(orders) > 1
    by_question = {tuple(option_order(five_options(key=f"q{n}"), 99)) for n in range(20)}
    assert len(by_question) > 1


def test_two_seeds_give_two_orders_for_five_options():
    question = five_options(key="q1")
    assert option_order(question, 1) != option_order(question, 2)


def test_option_order_keeps_the_author_order_when_shuffle_is_off():
    question = five_options(shuffle=False)
    assert all(option_order(question, seed) == list("abcde") for seed in range(20))
    no_shuffle = matching("abcd")
    no_shuffle.shuffle = False
    assert option_order(no_shuffle, 5) == list("abcd")


def test_matching_shuffles_the_right_hand_options():
    orders = {tuple(option_order(matching("abcde"), seed)) for seed in range(20)}
    assert len(orders) > 1
    assert all(sorted(order) == list("abcde") for order in orders)


@pytest.mark.parametrize("keys", ["ab", "abc", "abcd"])
def test_ordering_is_always_shuffled_never_shown_in_the_right_order(keys):
    question = ordering(keys, shuffle=False)
    orders = [option_order(question, seed) for seed in range(300)]
    assert all(sorted(order) == list(keys) for order in orders)
    assert all(order != list(keys) for order in orders)
    assert option_order(question, 7) == option_order(question, 7)


@pytest.mark.parametrize(
    "text, language, number",
    [
        ("2,500", "en", "2500"),
        ("2,500", "ko", "2500"),
        ("2,500", "ro", "2.500"),
        ("8.800", "ro", "8800"),
        ("8.800", "en", "8.800"),
        ("249.897,50", "ro", "249897.50"),
        ("249,897.50", "th", "249897.50"),
        ("1.234.567", None, "1234567"),
        ("1 234,5", "ro", "1234.5"),
        ("0,2985", "ro", "0.2985"),
        ("0.125", "ro", "0.125"),  # no thousands start with 0
        ("0,125", "en", "0.125"),
        ("1,5", None, "1.5"),
    ],
)
def test_parse_number_follows_the_language(text, language, number):
    from assessments.questions.numeric import parse_number

    assert parse_number(text, language) == Decimal(number)


@pytest.mark.parametrize("text", ["1.234,5.6", "12,34,5", "1.5.5", "2,50.0"])
def test_parse_number_refuses_mixed_up_groupings(text):
    from assessments.questions.numeric import parse_number

    assert parse_number(text, "ro") is None
