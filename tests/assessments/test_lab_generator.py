"""Tracing labs: seeded graph generation, the answer key, grading and the SVG drawing.

Pure unit tests: no database, no Django models.
"""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import pytest

from assessments.labs.answers import answer_key, traced_transfers
from assessments.labs.build import generate
from assessments.labs.grading import grade_tasks, parse_amount
from assessments.labs.graph import (
    BRIDGE_LABEL,
    CLASSIC_SCENARIOS,
    COLLECTION_LABEL,
    DECIMAL_PLACES,
    DIFFICULTIES,
    EXCHANGE_NAMES,
    FLOW_KINDS,
    NATIVE_ASSET,
    LabGraph,
    LabParams,
    graph_fingerprint,
)
from assessments.labs.svg import render_graph_svg, short_id

ROOT = Path(__file__).resolve().parents[2]
SVG_NS = "{http://www.w3.org/2000/svg}"
ADDRESS_FORMATS = {
    "bitcoin": re.compile(
        r"(bc1q[02-9ac-hj-np-z]{38}|bc1p[02-9ac-hj-np-z]{58}|[13][1-9A-HJ-NP-Za-km-z]{33})"
    ),
    "ethereum": re.compile(r"0x[0-9a-f]{40}"),
    "tron": re.compile(r"T[1-9A-HJ-NP-Za-km-z]{33}"),
}
CASES = [
    (scenario, difficulty, seed)
    for scenario in CLASSIC_SCENARIOS
    for difficulty in DIFFICULTIES
    for seed in (1, 2, 3)
]


def params(scenario="peel_chain", **overrides) -> LabParams:
    return LabParams(scenario=scenario, **overrides)


def key_answers(graph: LabGraph) -> dict:
    key = answer_key(graph)
    answers = {
        "exchanges": {name: str(amount) for name, amount in key.exchanges.items()},
        "consolidation": key.consolidation_address,
    }
    if key.bridge_hop:
        answers.update(bridge_hop=key.bridge_hop, bridge_chain=key.bridge_chain)
    return answers


def two_exchange_graph(scenario="peel_chain") -> LabGraph:
    for seed in range(100):
        graph = generate(seed, params(scenario, exchanges=2, peel_hops=10))
        if len(answer_key(graph).exchanges) == 2:
            return graph
    raise AssertionError("no seed with two exchanges")


# -- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", CLASSIC_SCENARIOS)
def test_same_seed_and_params_give_the_same_graph(scenario):
    lab = params(scenario, victims=5, peel_hops=30, noise=80, difficulty="hard")
    first, second = generate(42, lab), generate(42, lab)
    assert graph_fingerprint(first) == graph_fingerprint(second)
    assert first == second
    assert answer_key(first) == answer_key(second)


def test_generation_does_not_depend_on_the_process_hash_seed():
    code = (
        "from assessments.labs.build import generate\n"
        "from assessments.labs.graph import LabParams, graph_fingerprint\n"
        "for scenario in ('peel_chain', 'mixer_swap_bridge'):\n"
        "    lab = LabParams(scenario=scenario, peel_hops=20, noise=40, difficulty='hard')\n"
        "    print(graph_fingerprint(generate(7, lab)))\n"
    )
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        env.pop("DJANGO_SETTINGS_MODULE", None)  # the generator must not need Django
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    lines = next(iter(outputs)).split()
    assert lines[0] == graph_fingerprint(
        generate(7, params(peel_hops=20, noise=40, difficulty="hard"))
    )


@pytest.mark.parametrize("scenario", CLASSIC_SCENARIOS)
def test_different_seeds_give_different_graphs(scenario):
    fingerprints = {graph_fingerprint(generate(seed, params(scenario))) for seed in range(10)}
    assert len(fingerprints) == 10
    one, two = generate(1, params(scenario)), generate(2, params(scenario))
    assert not set(one.addresses) & set(two.addresses)
    assert answer_key(one).consolidation_address != answer_key(two).consolidation_address


def test_params_change_the_graph():
    assert graph_fingerprint(generate(1, params(noise=10))) != graph_fingerprint(
        generate(1, params(noise=11))
    )


# -- parameters ------------------------------------------------------------------------------


def test_defaults_are_valid():
    for scenario in CLASSIC_SCENARIOS:
        assert params(scenario).problems() == []


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"scenario": "ransomware"}, "scenario"),
        ({"victims": 0}, "victims"),
        ({"victims": 21}, "victims"),
        ({"peel_hops": 1}, "peel_hops"),
        ({"peel_hops": 201}, "peel_hops"),
        ({"exchanges": 0}, "exchanges"),
        ({"exchanges": 7}, "exchanges"),
        ({"noise": -1}, "noise"),
        ({"noise": 2001}, "noise"),
        ({"noise": "20"}, "noise"),
        ({"victims": True}, "victims"),
        ({"peel_hops": 8.0}, "peel_hops"),
        ({"difficulty": "expert"}, "difficulty"),
    ],
)
def test_problems_name_the_bad_key(overrides, key):
    data = {"scenario": "peel_chain", **overrides}
    problems = LabParams(**data).problems()
    assert len(problems) == 1
    assert problems[0].startswith(key)
    with pytest.raises(ValueError, match=key):
        LabParams.from_dict(data)
    with pytest.raises(ValueError, match=key):
        generate(1, LabParams(**data))


def test_problems_lists_every_bad_key():
    problems = LabParams(scenario="x", victims=50, noise=-5, difficulty="?").problems()
    assert [p.split()[0] for p in problems] == ["scenario", "victims", "noise", "difficulty"]


def test_range_limits_are_inclusive():
    lab = LabParams("peel_chain", victims=20, peel_hops=200, exchanges=6, noise=2000)
    assert lab.problems() == []
    assert LabParams("peel_chain", victims=1, peel_hops=2, exchanges=1, noise=0).problems() == []


def test_from_dict():
    data = {"scenario": "mixer_swap_bridge", "victims": 4, "peel_hops": 12, "difficulty": "hard"}
    lab = LabParams.from_dict(data)
    assert lab == LabParams("mixer_swap_bridge", victims=4, peel_hops=12, difficulty="hard")
    assert LabParams.from_dict(lab.as_dict()) == lab


def test_from_dict_rejects_unknown_keys_and_missing_scenario():
    with pytest.raises(ValueError, match="unknown lab parameter 'hops'"):
        LabParams.from_dict({"scenario": "peel_chain", "hops": 3})
    with pytest.raises(ValueError, match="scenario is required"):
        LabParams.from_dict({"victims": 3})
    with pytest.raises(ValueError, match="mapping"):
        LabParams.from_dict(["scenario", "peel_chain"])
    with pytest.raises(ValueError, match="mapping"):
        LabParams.from_dict(None)


def test_generate_checks_its_arguments():
    with pytest.raises(TypeError):
        generate("1", params())
    with pytest.raises(TypeError):
        generate(1, {"scenario": "peel_chain"})


# -- graph invariants ------------------------------------------------------------------------


def flow_addresses(graph: LabGraph) -> set[str]:
    return {a.id for a in graph.addresses.values() if a.kind in FLOW_KINDS}


@pytest.mark.parametrize(("scenario", "difficulty", "seed"), CASES)
def test_graph_invariants(scenario, difficulty, seed):
    lab = params(scenario, victims=4, peel_hops=25, exchanges=3, noise=60, difficulty=difficulty)
    graph = generate(seed, lab)
    addresses = graph.addresses

    assert addresses[graph.start_address].label == COLLECTION_LABEL
    assert len({t.id for t in graph.transfers}) == len(graph.transfers)
    for address in addresses.values():
        assert ADDRESS_FORMATS[address.chain].fullmatch(address.id), address
    times = [t.time for t in graph.transfers]
    assert times == sorted(times)
    first_payment = min(t.time for t in graph.incoming(graph.start_address))
    assert first_payment.year == 2025
    for t in graph.transfers:
        assert t.source in addresses and t.target in addresses
        assert t.source != t.target
        assert addresses[t.source].chain == addresses[t.target].chain == t.chain
        assert t.time.tzinfo is UTC
        assert t.amount > 0
        assert t.fee >= 0
        assert t.amount.as_tuple().exponent == -DECIMAL_PLACES[t.asset]
        assert t.fee.as_tuple().exponent == -DECIMAL_PLACES[t.fee_asset]
        assert t.fee_asset == NATIVE_ASSET[t.chain]
        if t.fee_asset == "BTC":
            assert t.fee < Decimal("0.001")

    # Every address on the scammer's side pays out exactly what it received, never more than
    # it holds at the time: input == outputs + fees (fees only count for the native coin).
    for address_id in flow_addresses(graph):
        events = [(t.time, 0, t.amount, t.asset) for t in graph.incoming(address_id)]
        for t in graph.outgoing(address_id):
            spent = t.amount + (t.fee if t.asset == t.fee_asset else 0)
            events.append((t.time, 1, -spent, t.asset))
        balance: dict[str, Decimal] = defaultdict(Decimal)
        for _time, _order, amount, asset in sorted(events, key=lambda e: e[:2]):
            balance[asset] += amount
            assert balance[asset] >= 0, address_id
        if addresses[address_id].kind != "consolidation":  # decoys pay it after the fact
            assert all(value == 0 for value in balance.values()), address_id

    # Along the traced path, money moves on only after it arrived (minutes to hours later).
    traced = traced_transfers(graph)
    for address_id in flow_addresses(graph) - {graph.start_address}:
        received = [t.time for t in traced if t.target == address_id]
        sent = [t.time for t in traced if t.source == address_id]
        assert received and sent, address_id
        if addresses[address_id].kind == "peel":
            assert min(sent) > max(received)
            assert (min(sent) - max(received)).total_seconds() >= 60
        else:
            assert min(sent) > min(received)


@pytest.mark.parametrize("scenario", CLASSIC_SCENARIOS)
def test_peel_hops_pay_out_input_minus_fees(scenario):
    graph = generate(9, params(scenario, peel_hops=40, difficulty="hard"))
    hops = [a.id for a in graph.addresses.values() if a.kind == "peel"]
    assert len(hops) >= 39
    for hop in hops:
        (received,) = graph.incoming(hop)
        sent = graph.outgoing(hop)
        assert 0 < len(sent) <= 3
        fees = sum(t.fee for t in sent) if received.asset == received.fee_asset else 0
        assert sum(t.amount for t in sent) + fees == received.amount
        assert all(t.time > received.time for t in sent)


def test_peel_chain_story():
    graph = generate(5, params(victims=6, peel_hops=30, exchanges=3, noise=40))
    addresses = graph.addresses
    key = answer_key(graph)
    victims = [a for a in addresses.values() if a.kind == "victim"]
    assert sorted(a.label for a in victims) == sorted(f"Victim {n} (reported)" for n in range(1, 7))
    for victim in victims:
        assert [t.target for t in graph.outgoing(victim.id)] == [graph.start_address]
    assert {t.target for t in graph.outgoing(graph.start_address)} == {key.consolidation_address}
    assert addresses[key.consolidation_address].label == ""
    assert all(t.chain == "bitcoin" for t in graph.transfers)
    peels = [a for a in addresses.values() if a.kind == "peel"]
    assert len(peels) == 30
    assert all(a.id.startswith("bc1q") and a.label == "" for a in peels)
    deposits = [a for a in addresses.values() if a.kind == "exchange_deposit"]
    assert all(re.fullmatch(r"Exchange: .+ \(deposit\)", a.label) for a in deposits)
    for deposit in deposits:  # each deposit is swept into the same exchange's hot wallet
        name = deposit.label.removeprefix("Exchange: ").removesuffix(" (deposit)")
        for t in graph.outgoing(deposit.id):
            assert addresses[t.target].label == f"Exchange: {name} (hot wallet)"
    assert key.bridge_hop is None and key.bridge_chain is None
    assert key.exchange_asset == "BTC"
    assert len(graph.transfers) == pytest.approx(6 + 30 * 3 + 40, abs=6)


def test_standard_difficulty_pays_decoys_into_the_emptied_consolidation_address():
    graph = generate(3, params(noise=30))
    key = answer_key(graph)
    forwarded = max(t.time for t in graph.outgoing(key.consolidation_address))
    late = [t for t in graph.incoming(key.consolidation_address) if t.time > forwarded]
    assert late
    assert all(graph.addresses[t.source].kind == "decoy" for t in late)
    intro = generate(3, params(noise=30, difficulty="intro"))
    intro_key = answer_key(intro)
    assert all(
        intro.addresses[t.source].kind != "decoy"
        for t in intro.incoming(intro_key.consolidation_address)
    )


def test_hard_difficulty_adds_decoys_a_fan_out_and_round_change():
    standard = generate(4, params(peel_hops=40, noise=100))
    hard = generate(4, params(peel_hops=40, noise=100, difficulty="hard"))
    assert len(hard.transfers) > len(standard.transfers) + 40
    fan_outs = [
        a
        for a in hard.addresses.values()
        if a.kind == "peel"
        and sum(hard.addresses[t.target].kind == "peel" for t in hard.outgoing(a.id)) >= 2
    ]
    assert len(fan_outs) == 1
    round_change = [
        t
        for t in traced_transfers(hard)
        if hard.addresses[t.target].kind == "peel"
        and t.amount == t.amount.quantize(Decimal("0.01"))
    ]
    assert round_change


def test_mixer_swap_bridge_story():
    graph = generate(8, params("mixer_swap_bridge", victims=5, peel_hops=20, noise=80))
    addresses = graph.addresses
    key = answer_key(graph)
    labels = {a.label for a in addresses.values()}
    assert {"Mixer: Tumbleweed pool", "Swap: SwiftSwap router", BRIDGE_LABEL} <= labels
    assert key.exchange_asset == "USDT"
    assert key.bridge_chain == "tron"
    (hop,) = [t for t in graph.transfers if t.id == key.bridge_hop]
    assert hop.chain == "ethereum" and hop.asset == "USDT"
    assert addresses[hop.target].label == BRIDGE_LABEL
    assert addresses[hop.source].kind == "scammer"
    releases = [t for t in traced_transfers(graph) if addresses[t.source].kind == "bridge"]
    (release,) = releases
    assert release.chain == "tron"
    assert hop.amount * Decimal("0.99") < release.amount < hop.amount
    assert 0 < (release.time - hop.time).total_seconds() < 3600
    # The consolidation address pays the mixer in equal denominations and swaps the rest.
    sent = graph.outgoing(key.consolidation_address)
    to_mixer = [t for t in sent if addresses[t.target].kind == "mixer"]
    assert len(to_mixer) >= 2 and len({t.amount for t in to_mixer}) == 1
    assert any(addresses[t.target].kind == "swap" for t in sent)
    # Other people use the mixer too, with the same denomination.
    mixer = to_mixer[0].target
    others = [t for t in graph.incoming(mixer) if addresses[t.source].kind == "decoy"]
    assert others
    # The exchanges received USDT on Tron.
    deposits = [
        t for t in traced_transfers(graph) if addresses[t.target].kind == "exchange_deposit"
    ]
    assert deposits and all(t.chain == "tron" and t.asset == "USDT" for t in deposits)


# -- answer key ------------------------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "difficulty", "seed"), CASES)
def test_answer_key_matches_the_traced_deposits(scenario, difficulty, seed):
    graph = generate(seed, params(scenario, peel_hops=30, exchanges=3, difficulty=difficulty))
    addresses = graph.addresses
    key = answer_key(graph)

    # Independently: walk forward from the reported address through unlabelled addresses
    # controlled by the scammer and sum what reached labelled exchange deposit addresses.
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for t in graph.transfers:
        source, target = addresses[t.source], addresses[t.target]
        if source.kind in FLOW_KINDS and target.kind == "exchange_deposit":
            name = re.fullmatch(r"Exchange: (.+) \(deposit\)", target.label)[1]
            expected[name] += t.amount
    assert key.exchanges == dict(expected)
    assert 0 < len(key.exchanges) <= 3
    assert all(amount > 0 for amount in key.exchanges.values())

    # Nothing a decoy paid into an exchange is counted, and the stolen total is conserved.
    received = sum(t.amount for t in graph.incoming(graph.start_address))
    if scenario == "peel_chain":
        assert sum(key.exchanges.values()) < received
        fees = sum(t.fee for t in traced_transfers(graph) if addresses[t.source].kind != "victim")
        assert sum(key.exchanges.values()) + fees == received
    else:
        release = next(
            t
            for t in graph.transfers
            if t.target in flow_addresses(graph) and addresses[t.source].kind == "bridge"
        )
        assert sum(key.exchanges.values()) == release.amount
    assert addresses[key.consolidation_address].kind == "consolidation"


# -- grading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", CLASSIC_SCENARIOS)
def test_the_key_gets_full_marks(scenario):
    graph = generate(12, params(scenario, exchanges=3))
    scores = grade_tasks(graph, key_answers(graph))
    expected = {"exchanges": 1.0, "consolidation": 1.0}
    if scenario == "mixer_swap_bridge":
        expected["bridge"] = 1.0
    assert scores == expected


def test_tasks_that_do_not_apply_are_absent():
    graph = generate(12, params("peel_chain"))
    assert set(grade_tasks(graph, {})) == {"exchanges", "consolidation"}
    graph = generate(12, params("mixer_swap_bridge"))
    assert set(grade_tasks(graph, {})) == {"exchanges", "consolidation", "bridge"}


def test_exchange_partial_credit_and_wrong_extras():
    graph = two_exchange_graph()
    key = answer_key(graph)
    (first, first_amount), (second, second_amount) = key.exchanges.items()
    decoy_name = next(name for name in EXCHANGE_NAMES if name not in key.exchanges)

    def score(exchanges):
        return grade_tasks(graph, {"exchanges": exchanges})["exchanges"]

    assert score({first: str(first_amount)}) == 0.5
    assert score({first: str(first_amount), second: "0.00000001"}) == 0.5
    assert score({first: str(first_amount), "Made-up Exchange": "1"}) == 0.0
    assert score({first: str(first_amount), second: str(second_amount), decoy_name: "1"}) == 0.5
    assert score({decoy_name: "1", "Other": "2", "Third": "3"}) == 0.0
    assert score({}) == 0.0


def test_exchange_amount_tolerance_and_formats():
    graph = two_exchange_graph()
    key = answer_key(graph)
    (first, amount), (second, second_amount) = key.exchanges.items()
    rest = {second: str(second_amount)}

    def score(name, value):
        return grade_tasks(graph, {"exchanges": {name: value, **rest}})["exchanges"]

    assert score(first, str(amount * Decimal("1.009"))) == 1.0
    assert score(first, str(amount * Decimal("0.991"))) == 1.0
    assert score(first, str(amount * Decimal("1.02"))) == 0.5
    assert score(first.upper(), f"  {amount}  ") == 1.0
    assert score(f"Exchange: {first} (deposit)", str(amount)) == 1.0
    assert score(first, str(amount).replace(".", ",")) == 1.0
    assert score(first, f"{amount} BTC") == 1.0
    assert score(first, float(amount)) == 1.0
    assert score(first, "-" + str(amount)) == 0.5


def test_amount_parsing():
    assert parse_amount("1,234.56") == Decimal("1234.56")
    assert parse_amount("1,5") == Decimal("1.5")
    assert parse_amount("12 500,25") == Decimal("12500.25")
    assert parse_amount(".5") == Decimal("0.5")
    for garbage in ("", "abc", "1e5", "NaN", "inf", "1.2.3", "--1", None, [], {}, True, object()):
        assert parse_amount(garbage) is None, garbage
    assert parse_amount(float("nan")) is None
    assert parse_amount(float("inf")) is None


def test_consolidation_is_case_and_whitespace_insensitive():
    graph = generate(12, params("mixer_swap_bridge"))
    address = answer_key(graph).consolidation_address
    assert grade_tasks(graph, {"consolidation": f"  {address.upper()}\n"})["consolidation"] == 1.0
    assert grade_tasks(graph, {"consolidation": graph.start_address})["consolidation"] == 0.0
    assert grade_tasks(graph, {"consolidation": ""})["consolidation"] == 0.0


def test_bridge_partial_credit():
    graph = generate(12, params("mixer_swap_bridge"))
    key = answer_key(graph)
    other = next(t.id for t in graph.transfers if t.id != key.bridge_hop)

    def score(**answers):
        return grade_tasks(graph, answers)["bridge"]

    assert score(bridge_hop=key.bridge_hop, bridge_chain="ethereum") == 0.5
    assert score(bridge_hop=other, bridge_chain="tron") == 0.5
    assert score(bridge_hop=key.bridge_hop.upper(), bridge_chain=" Tron ") == 1.0
    assert score(bridge_hop=key.bridge_hop.removeprefix("0x"), bridge_chain="TRX") == 1.0
    assert score(bridge_hop=other, bridge_chain="bitcoin") == 0.0
    assert score() == 0.0


@pytest.mark.parametrize(
    "answers",
    [
        None,
        [],
        "everything",
        42,
        {"exchanges": "Kimchi Exchange: 1.5"},
        {"exchanges": ["Kimchi Exchange", "1.5"]},
        {"exchanges": {None: "1", 3: object(), "": "2", "Kimchi Exchange": None}},
        {"exchanges": {"Kimchi Exchange": "1e999999999"}, "consolidation": 123},
        {"exchanges": {"Siam Digital": float("nan")}, "consolidation": ["a"]},
        {"bridge_hop": {"id": 1}, "bridge_chain": 7, "consolidation": None},
        {"exchanges": {"x" * 10_000: "9" * 10_000}, "bridge_hop": "\x00" * 50},
    ],
)
@pytest.mark.parametrize("scenario", CLASSIC_SCENARIOS)
def test_garbage_answers_score_zero_without_raising(scenario, answers):
    graph = generate(3, params(scenario))
    scores = grade_tasks(graph, answers)
    assert set(scores) >= {"exchanges", "consolidation"}
    assert all(value == 0.0 for value in scores.values())


# -- SVG -------------------------------------------------------------------------------------


def parse_svg(svg: str) -> ET.Element:
    # Our own output, parsed only to prove that it is well-formed XML.
    return ET.fromstring(svg)  # noqa: S314


def render(graph: LabGraph, focus: str, visited=(), radius=1) -> str:
    return render_graph_svg(
        graph,
        focus=focus,
        visited=list(visited),
        radius=radius,
        href=lambda address: f"/labs/attempt/7/address/{address}/?from=graph&x=<1>",
    )


def test_svg_is_accessible_well_formed_and_safe():
    graph = generate(6, params(victims=4, peel_hops=12, noise=40, difficulty="hard"))
    key = answer_key(graph)
    focus = key.consolidation_address
    svg = render(graph, focus, visited=[graph.start_address, focus])
    root = parse_svg(svg)

    assert root.tag == f"{SVG_NS}svg"
    # A group, not an image: screen readers then reach the address links inside.
    assert root.get("role") == "group"
    assert root.get("viewBox").startswith("0 0 900 ")
    assert root.find(f"{SVG_NS}title").text
    desc = root.find(f"{SVG_NS}desc").text
    n_in, n_out = len(graph.incoming(focus)), len(graph.outgoing(focus))
    assert f"Address {focus} with {n_in} incoming and {n_out} outgoing transfers" in desc
    assert set(root.get("aria-labelledby").split()) == {
        root.find(f"{SVG_NS}title").get("id"),
        root.find(f"{SVG_NS}desc").get("id"),
    }

    assert "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+\s*=", svg, re.IGNORECASE)
    assert "<style" not in svg and not re.search(r"\sstyle=", svg)
    assert "<foreignObject" not in svg and "<image" not in svg
    urls = re.findall(r"https?://", svg)
    assert urls == ["http://"]  # the xmlns only
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            if value.startswith("url("):
                assert value.startswith("url(#")
        if element.tag == f"{SVG_NS}text":
            assert float(element.get("font-size", root.get("font-size"))) >= 12
    # Every neighbour is a link with its own title; the href is escaped.
    links = {a.get("href"): a for a in root.iter(f"{SVG_NS}a")}
    for neighbour in graph.neighbours(focus) | {focus}:
        url = f"/labs/attempt/7/address/{neighbour}/?from=graph&x=<1>"
        assert url in links
        assert neighbour in links[url].find(f"{SVG_NS}title").text
    assert "&amp;x=&lt;1&gt;" in svg
    # The ground truth is never drawn.
    assert "consolidation" not in svg.lower() and "decoy" not in svg.lower()
    assert short_id(focus) in svg


def test_svg_layout_and_visited_path():
    graph = generate(6, params(peel_hops=12))
    key = answer_key(graph)
    focus = key.consolidation_address
    svg = render(graph, focus, visited=[graph.start_address, focus])
    root = parse_svg(svg)
    boxes = {}
    for link in root.iter(f"{SVG_NS}a"):
        address = link.get("href").split("/address/")[1].split("/")[0]
        rect = link.find(f"{SVG_NS}rect")
        boxes[address] = (float(rect.get("x")), rect.get("stroke"))
    focus_x = boxes[focus][0]
    for t in graph.incoming(focus):
        assert boxes[t.source][0] < focus_x
    for t in graph.outgoing(focus):
        assert boxes[t.target][0] > focus_x
    assert boxes[graph.start_address][1] == "#1d4ed8"  # visited
    assert render(graph, focus, visited=[graph.start_address, focus]) == svg  # deterministic
    assert sum(1 for _ in root.iter(f"{SVG_NS}line")) >= 2


def test_svg_radius_and_limits():
    graph = generate(6, params("mixer_swap_bridge", noise=300))
    mixer = next(a.id for a in graph.addresses.values() if a.kind == "mixer")
    svg = render(graph, mixer, radius=1)
    parse_svg(svg)
    assert "more not shown" in svg  # busy services are capped per column
    wide = render(graph, graph.start_address, radius=2)
    assert wide.count("<a ") > render(graph, graph.start_address).count("<a ")
    parse_svg(wide)
    with pytest.raises(ValueError):
        render(graph, "0xnot-an-address")


def test_svg_neutralises_script_urls():
    graph = generate(6, params())
    svg = render_graph_svg(
        graph, focus=graph.start_address, visited=[], href=lambda a: "javascript:alert(1)"
    )
    assert "javascript" not in svg
    parse_svg(svg)


# -- size ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", CLASSIC_SCENARIOS)
def test_a_500_transfer_graph(scenario):
    # Timing is reported by bench/lab_generation.py; this only checks size and soundness.
    graph = generate(2025, params(scenario, peel_hops=150, noise=50))
    assert 480 <= len(graph.transfers) <= 600
    assert grade_tasks(graph, key_answers(graph))["exchanges"] == 1.0


def test_extreme_parameters():
    for scenario in CLASSIC_SCENARIOS:
        for difficulty in DIFFICULTIES:
            small = LabParams(
                scenario, victims=1, peel_hops=2, exchanges=6, noise=0, difficulty=difficulty
            )
            big = LabParams(
                scenario, victims=20, peel_hops=200, exchanges=1, noise=2000, difficulty=difficulty
            )
            for lab in (small, big):
                graph = generate(99, lab)
                key = answer_key(graph)
                assert key.exchanges
                assert grade_tasks(graph, key_answers(graph))["consolidation"] == 1.0
