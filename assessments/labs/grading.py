"""Grading a tracing lab: each task an officer answered, scored against the answer key of
their own graph. Lenient about how amounts, names and chains are typed; never raises."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from assessments.labs.answers import AnswerKey, answer_key
from assessments.labs.graph import TASKS, LabGraph

_AMOUNT = re.compile(r"\+?(?:\d{1,20}(?:\.\d{0,18})?|\.\d{1,18})")
_CHAIN_ALIASES = {
    "trx": "tron",
    "trc20": "tron",
    "trc-20": "tron",
    "eth": "ethereum",
    "erc20": "ethereum",
    "erc-20": "ethereum",
    "btc": "bitcoin",
}


def parse_amount(value: object) -> Decimal | None:
    """An amount an officer typed: "1.5", "1,5", "1,234.56", "0.25 BTC". None if unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value) if abs(value) < 10**20 else None
    if isinstance(value, float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = text.strip()[:64]
    text = re.sub(r"\s*[A-Za-z]{2,5}$", "", text)  # "0.25 BTC"
    text = re.sub(r"[\s_'\u00a0\u202f]", "", text)
    if "," in text and "." in text:
        text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")
    if not _AMOUNT.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets plain numbers through
        return None


def _name_key(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split()).casefold()
    text = re.sub(r"^exchange:\s*", "", text)
    text = re.sub(r"\s*\((?:deposit|hot wallet)\)$", "", text)
    return text.strip()


def _text_key(value: object) -> str:
    return value.strip().casefold() if isinstance(value, str) else ""


def _score_exchanges(key: AnswerKey, submitted: object) -> float:
    if not isinstance(submitted, Mapping) or not key.exchanges:
        return 0.0
    truth = {_name_key(name): amount for name, amount in key.exchanges.items()}
    credited: set[str] = set()
    extras: set[str] = set()
    for name, value in submitted.items():
        name_key = _name_key(name)
        if not name_key:
            continue
        if name_key not in truth:
            extras.add(name_key)
            continue
        amount = parse_amount(value)
        expected = truth[name_key]
        if amount is not None and abs(amount - expected) <= max(
            expected * Decimal("0.01"), Decimal("0.0001")
        ):
            credited.add(name_key)
    return max(0.0, min(1.0, (len(credited) - len(extras)) / len(truth)))


def _tx_key(value: object) -> str:
    text = _text_key(value)
    return text[2:] if text.startswith("0x") else text


def _addresses(value: object) -> set[str]:
    """Addresses an officer listed: a list, or text with one per line (commas work too)."""
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value)
    if not isinstance(value, list | tuple | set | frozenset):
        return set()
    found = set()
    for item in list(value)[:500]:
        key = _text_key(item)
        if key and len(key) <= 120:
            found.add(key)
    return found


def _score_addresses(truth: frozenset[str], neutral: frozenset[str], submitted: object) -> float:
    """One share per right address; each wrong one costs a share; neutral ones cost nothing."""
    if not truth:
        return 0.0
    given = _addresses(submitted)
    right = {a.casefold() for a in truth}
    allowed = right | {a.casefold() for a in neutral}
    wrong = given - allowed
    return max(0.0, min(1.0, (len(given & right) - len(wrong)) / len(right)))


def _close(amount: Decimal | None, expected: Decimal) -> bool:
    return amount is not None and abs(amount - expected) <= max(
        expected * Decimal("0.01"), Decimal("0.0001")
    )


def _score_deposits(truth: dict[str, Decimal], submitted: object) -> float:
    """Per deposit address: a full share with the amount (within 1%), half without it; each
    address that is not a deposit of the thief's costs a share."""
    if not isinstance(submitted, Mapping) or not truth:
        return 0.0
    expected = {address.casefold(): amount for address, amount in truth.items()}
    credit, wrong = 0.0, 0
    for address, value in list(submitted.items())[:500]:
        key = _text_key(address)
        if not key:
            continue
        if key not in expected:
            wrong += 1
            continue
        credit += 1.0 if _close(parse_amount(value), expected[key]) else 0.5
    return max(0.0, min(1.0, (credit - wrong) / len(expected)))


def _score_cents(expected: Decimal | None, submitted: object) -> float:
    """An amount graded to the cent."""
    amount = parse_amount(submitted)
    return float(expected is not None and amount is not None and amount == expected)


def _score_text(expected: str | None, submitted: object) -> float:
    given = _text_key(submitted)
    return float(bool(given) and expected is not None and given == expected.casefold())


def grade_tasks(graph: LabGraph, answers: dict) -> dict[str, float]:
    """Score each task of the lab's scenario in [0, 1]. Never raises on what an officer
    submits."""
    if not isinstance(answers, Mapping):
        answers = {}
    key = answer_key(graph)
    scorers = {
        "exchanges": lambda: _score_exchanges(key, answers.get("exchanges")),
        "consolidation": lambda: _score_text(
            key.consolidation_address, answers.get("consolidation")
        ),
        "bridge": lambda: _score_bridge(key, answers),
        "cluster": lambda: _score_addresses(
            key.cluster, key.cluster_neutral, answers.get("cluster")
        ),
        "change_output": lambda: _score_text(key.change_output, answers.get("change_output")),
        "deposits": lambda: _score_deposits(key.deposits, answers.get("deposits")),
        "trail": lambda: _score_addresses(key.trail, key.trail_neutral, answers.get("trail")),
        "commingled": lambda: _score_text(key.commingled, answers.get("commingled")),
        "libr_withdrawal": lambda: _score_cents(
            key.libr_withdrawal, answers.get("libr_withdrawal")
        ),
        "libr_remaining": lambda: _score_cents(key.libr_remaining, answers.get("libr_remaining")),
    }
    scores: dict[str, float] = {}
    for task in TASKS[graph.params.scenario]:
        try:
            scores[task] = scorers[task]()
        except (ArithmeticError, ValueError, TypeError, AttributeError):
            scores[task] = 0.0
    return scores


def _score_bridge(key: AnswerKey, answers: Mapping) -> float:
    hop = _tx_key(answers.get("bridge_hop"))
    chain = _text_key(answers.get("bridge_chain"))
    chain = _CHAIN_ALIASES.get(chain, chain)
    score = 0.0
    if hop and key.bridge_hop and hop == _tx_key(key.bridge_hop):
        score += 0.5
    if chain and key.bridge_chain and chain == key.bridge_chain:
        score += 0.5
    return score
