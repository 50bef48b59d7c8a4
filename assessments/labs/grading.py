"""Grading a tracing lab: each task an officer answered, scored against the answer key of
their own graph. Lenient about how amounts, names and chains are typed; never raises."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from assessments.labs.answers import AnswerKey, answer_key
from assessments.labs.graph import LabGraph

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


def grade_tasks(graph: LabGraph, answers: dict) -> dict[str, float]:
    """Score each task in [0, 1]. Never raises on what an officer submits."""
    if not isinstance(answers, Mapping):
        answers = {}
    key = answer_key(graph)
    scores: dict[str, float] = {}
    try:
        scores["exchanges"] = _score_exchanges(key, answers.get("exchanges"))
    except (ArithmeticError, ValueError, TypeError):
        scores["exchanges"] = 0.0
    consolidation = _text_key(answers.get("consolidation"))
    scores["consolidation"] = float(
        bool(consolidation) and consolidation == key.consolidation_address.casefold()
    )
    if graph.params.scenario == "mixer_swap_bridge":
        hop = _tx_key(answers.get("bridge_hop"))
        chain = _text_key(answers.get("bridge_chain"))
        chain = _CHAIN_ALIASES.get(chain, chain)
        score = 0.0
        if hop and key.bridge_hop and hop == _tx_key(key.bridge_hop):
            score += 0.5
        if chain and key.bridge_chain and chain == key.bridge_chain:
            score += 0.5
        scores["bridge"] = score
    return scores
