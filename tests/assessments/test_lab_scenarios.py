"""The utxo_sweep, tron_energy and commingling tracing labs: generation (deterministic per
seed, the structure each scenario teaches, its decoys), LIBR arithmetic, and grading."""

import re
from datetime import UTC
from decimal import Decimal

import pytest

from assessments.labs.answers import answer_key, libr_of
from assessments.labs.build import generate
from assessments.labs.commingle import libr_walk
from assessments.labs.grading import grade_tasks
from assessments.labs.graph import (
    COLLECTION_LABEL,
    DECIMAL_PLACES,
    DIFFICULTIES,
    EXCHANGE_LABEL,
    RENTAL_LABEL,
    TASKS,
    LabGraph,
    LabParams,
    graph_fingerprint,
)
from assessments.labs.svg import render_graph_svg

NEW = ("utxo_sweep", "tron_energy", "commingling")
CASES = [(s, d, seed) for s in NEW for d in DIFFICULTIES for seed in (1, 2, 3)]
ADDRESS_FORMATS = {
    "bitcoin": re.compile(
        r"(bc1q[02-9ac-hj-np-z]{38}|bc1p[02-9ac-hj-np-z]{58}|[13][1-9A-HJ-NP-Za-km-z]{33})"
    ),
    "tron": re.compile(r"T[1-9A-HJ-NP-Za-km-z]{33}"),
}


def lab(scenario: str, difficulty: str = "standard", **overrides) -> LabParams:
    values = {"victims": 4, "peel_hops": 10, "exchanges": 3, "noise": 40, **overrides}
    return LabParams(scenario=scenario, difficulty=difficulty, **values)


def full_answers(graph: LabGraph) -> dict:
    key = answer_key(graph)
    return {
        "exchanges": {name: str(amount) for name, amount in key.exchanges.items()},
        "cluster": sorted(key.cluster),
        "change_output": key.change_output,
        "deposits": {address: str(amount) for address, amount in key.deposits.items()},
        "trail": sorted(key.trail),
        "commingled": key.commingled,
        "libr_withdrawal": str(key.libr_withdrawal),
        "libr_remaining": str(key.libr_remaining),
    }


# -- determinism and shape --------------------------------------------------------------------


@pytest.mark.parametrize("scenario", NEW)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_same_seed_gives_the_same_graph_and_key(scenario, difficulty):
    first, second = generate(42, lab(scenario, difficulty)), generate(42, lab(scenario, difficulty))
    assert graph_fingerprint(first) == graph_fingerprint(second)
    assert first == second
    assert answer_key(first) == answer_key(second)
    others = {graph_fingerprint(generate(seed, lab(scenario, difficulty))) for seed in range(6)}
    assert len(others) == 6


@pytest.mark.parametrize(("scenario", "difficulty", "seed"), CASES)
def test_graph_invariants(scenario, difficulty, seed):
    graph = generate(seed, lab(scenario, difficulty))
    addresses = graph.addresses
    assert addresses[graph.start_address].label == COLLECTION_LABEL
    for address in addresses.values():
        assert ADDRESS_FORMATS[address.chain].fullmatch(address.id), address
    times = [t.time for t in graph.transfers]
    assert times == sorted(times)
    for t in graph.transfers:
        assert t.source in addresses and t.target in addresses and t.source != t.target
        assert t.time.tzinfo is UTC
        assert t.amount > 0 and t.fee >= 0
        assert t.amount.as_tuple().exponent == -DECIMAL_PLACES[t.asset]
    for tx in graph.transactions.values():
        assert sum(a for _, a in tx.inputs) == sum(a for _, a in tx.outputs) + tx.fee
        assert tx.fee >= 0
        legs = [t for t in graph.transfers if t.id == tx.id]
        for address_id in {a for a, _ in tx.outputs}:
            expected = sum(a for o, a in tx.outputs if o == address_id)
            assert sum(t.amount for t in legs if t.target == address_id) == expected
        assert sum(t.amount + t.fee for t in legs) == sum(a for _, a in tx.inputs)
    for record in graph.delegations:
        assert record.source in addresses and record.target in addresses
    # The answer key never leaks into what the explorer draws.
    svg = render_graph_svg(graph, focus=graph.start_address, visited=[], href=lambda a: "#")
    for kind in ("wallet", "funder", "commingled", "coinjoin"):
        assert f">{kind}<" not in svg


@pytest.mark.parametrize("scenario", NEW)
def test_extreme_parameters(scenario):
    for difficulty in DIFFICULTIES:
        for params in (
            LabParams(
                scenario, victims=1, peel_hops=2, exchanges=6, noise=0, difficulty=difficulty
            ),
            LabParams(
                scenario, victims=20, peel_hops=200, exchanges=1, noise=2000, difficulty=difficulty
            ),
        ):
            graph = generate(99, params)
            scores = grade_tasks(graph, full_answers(graph))
            assert set(scores) == set(TASKS[scenario])
            assert all(score == 1.0 for score in scores.values()), scores


# -- utxo_sweep ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("difficulty", "seed"), [(d, s) for d in DIFFICULTIES for s in range(4)])
def test_utxo_sweep_structure(difficulty, seed):
    graph = generate(seed, lab("utxo_sweep", difficulty))
    key = answer_key(graph)
    kinds = {a.id: a.kind for a in graph.addresses.values()}
    wallet = key.cluster | {graph.start_address}
    spends = [tx for tx in graph.transactions.values() if any(a in wallet for a, _ in tx.inputs)]
    thief_spends = [tx for tx in spends if all(a in wallet for a, _ in tx.inputs)]
    assert len(thief_spends) >= 2
    assert all(len({a for a, _ in tx.inputs}) >= 2 for tx in thief_spends)  # common inputs
    # Every wallet address is an input of a thief spend: the cluster follows common inputs.
    inputs = {a for tx in thief_spends for a, _ in tx.inputs}
    assert key.cluster <= inputs
    # All but the last spend keep change, in a fresh wallet address of the inputs' type.
    with_change = [tx for tx in thief_spends if any(a in key.cluster for a, _ in tx.outputs)]
    assert len(with_change) == len(thief_spends) - 1
    for tx in with_change:
        change = next(a for a, _ in tx.outputs if a in key.cluster)
        assert change.startswith("bc1q")
    # The named transaction's change output is in the key.
    named = graph.transactions[key.change_tx]
    assert key.change_output in {a for a, _ in named.outputs}
    assert key.change_output in key.cluster
    # The thief's deposit addresses carry no label and are swept into a labelled hot wallet.
    assert key.deposits
    for address_id in key.deposits:
        assert graph.addresses[address_id].label == ""
        assert kinds[address_id] == "exchange_deposit"
        sweeps = [
            tx
            for tx in graph.transactions_of(address_id)
            if any(a == address_id for a, _ in tx.inputs)
        ]
        assert len(sweeps) == 1
        (hot, _amount), *rest = sweeps[0].outputs
        assert not rest and EXCHANGE_LABEL.match(graph.addresses[hot].label)
        assert len(sweeps[0].inputs) >= 2
    assert not graph.delegations and not key.exchanges


@pytest.mark.parametrize("difficulty", ("standard", "hard"))
def test_utxo_sweep_coinjoin_is_not_in_the_cluster(difficulty):
    for seed in range(5):
        graph = generate(seed, lab("utxo_sweep", difficulty))
        key = answer_key(graph)
        coinjoins = [
            tx
            for tx in graph.transactions.values()
            if len(tx.inputs) >= 5
            and max(sum(1 for _, a in tx.outputs if a == amount) for _, amount in tx.outputs) >= 5
        ]
        assert len(coinjoins) == 1
        inputs = {a for a, _ in coinjoins[0].inputs}
        assert len(inputs & key.cluster) == 1  # the thief's coin joined...
        strangers = inputs - key.cluster
        assert strangers and not strangers & key.cluster_neutral  # ...with strangers' coins
        # Naming the strangers (clustering the CoinJoin) costs marks.
        naive = sorted(key.cluster | strangers)
        assert grade_tasks(graph, {"cluster": naive})["cluster"] < 1.0


def test_utxo_sweep_intro_has_no_coinjoin_and_hard_sets_round_change_traps():
    for seed in range(5):
        intro = generate(seed, lab("utxo_sweep", "intro"))
        for tx in intro.transactions.values():
            amounts = [amount for _, amount in tx.outputs]
            assert max(amounts.count(amount) for amount in amounts) < 3
    traps = 0
    for seed in range(10):
        graph = generate(seed, lab("utxo_sweep", "hard"))
        key = answer_key(graph)
        named = graph.transactions[key.change_tx]
        change = dict(named.outputs)[key.change_output]
        units = int(change * 10**8)
        traps += units % 1_000_000 == 0 and len(str(units).rstrip("0")) <= 2
    assert traps >= 5  # the named change output is usually the round one


def test_utxo_sweep_grading_full_partial_and_wrong():
    graph = generate(5, lab("utxo_sweep", "hard"))
    key = answer_key(graph)
    scores = grade_tasks(graph, full_answers(graph))
    assert scores == {"cluster": 1.0, "change_output": 1.0, "deposits": 1.0}
    cluster = sorted(key.cluster)
    half = cluster[: len(cluster) // 2]
    assert grade_tasks(graph, {"cluster": half})["cluster"] == pytest.approx(
        len(half) / len(cluster)
    )
    # The reported address and the thief's CoinJoin outputs cost nothing; strangers do.
    neutral = sorted(key.cluster_neutral)
    assert grade_tasks(graph, {"cluster": cluster + neutral})["cluster"] == 1.0
    stranger = next(a for a in graph.addresses.values() if a.kind == "decoy").id
    assert grade_tasks(graph, {"cluster": [*cluster, stranger]})["cluster"] == pytest.approx(
        1 - 1 / len(cluster)
    )
    assert grade_tasks(graph, {"cluster": "\n".join(cluster).upper()})["cluster"] == 1.0
    wrong_change = next(
        a for a, _ in graph.transactions[key.change_tx].outputs if a != key.change_output
    )
    assert grade_tasks(graph, {"change_output": wrong_change})["change_output"] == 0.0
    deposits = {a: str(v) for a, v in key.deposits.items()}
    first = next(iter(deposits))
    short = {**deposits, first: "0.00000001"}
    assert grade_tasks(graph, {"deposits": short})["deposits"] == pytest.approx(
        1 - 0.5 / len(deposits)
    )
    hot = next(a for a in graph.addresses.values() if a.kind == "exchange_hot").id
    assert grade_tasks(graph, {"deposits": {**deposits, hot: "1"}})["deposits"] == pytest.approx(
        1 - 1 / len(deposits)
    )
    assert grade_tasks(graph, {"deposits": {hot: "1"}})["deposits"] == 0.0


# -- tron_energy ------------------------------------------------------------------------------


@pytest.mark.parametrize(("difficulty", "seed"), [(d, s) for d in DIFFICULTIES for s in range(4)])
def test_tron_energy_structure(difficulty, seed):
    graph = generate(seed, lab("tron_energy", difficulty))
    key = answer_key(graph)
    rental = next(a for a in graph.addresses.values() if a.label == RENTAL_LABEL).id
    funder = next(a for a in graph.addresses.values() if a.kind == "funder").id
    assert rental not in key.trail and funder not in key.trail
    senders = key.trail | {graph.start_address}
    rented = {d.target for d in graph.delegations if d.source == rental and d.target in senders}
    topped = {t.target for t in graph.outgoing(funder) if t.asset == "TRX"}
    # Every trail address that sends USDT has energy or TRX, and both kinds occur.
    sending = {t.source for t in graph.transfers if t.source in senders and t.asset == "USDT"}
    assert sending <= rented | topped and rented and topped
    assert not rented & topped
    for address_id in rented:  # moves USDT on rented energy: no TRX comes in, no TRX fee
        assert not [t for t in graph.incoming(address_id) if t.asset == "TRX"]
        assert all(t.fee == 0 for t in graph.outgoing(address_id))
    # The rental service serves many unrelated addresses too.
    customers = {d.target for d in graph.delegations if d.source == rental}
    assert len(customers - senders) >= 4
    assert {d.target for d in graph.delegations_of(rental)} == customers
    # The endpoints include an OTC desk, and every endpoint name has a labelled address.
    assert any("OTC" in name for name in key.exchanges)
    assert key.exchange_asset == "USDT"


def test_tron_energy_grading_full_partial_and_wrong():
    graph = generate(4, lab("tron_energy", "hard"))
    key = answer_key(graph)
    assert grade_tasks(graph, full_answers(graph)) == {"trail": 1.0, "exchanges": 1.0}
    trail = sorted(key.trail)
    assert grade_tasks(graph, {"trail": trail[:2]})["trail"] == pytest.approx(2 / len(trail))
    rental = next(a for a in graph.addresses.values() if a.kind == "rental").id
    # The rental service is no link: naming it costs a share. The funder costs nothing.
    assert grade_tasks(graph, {"trail": [*trail, rental]})["trail"] == pytest.approx(
        1 - 1 / len(trail)
    )
    assert grade_tasks(graph, {"trail": [*trail, *key.trail_neutral]})["trail"] == 1.0
    assert grade_tasks(graph, {"trail": [rental] * 3})["trail"] == 0.0


# -- commingling and LIBR -----------------------------------------------------------------------


def test_libr_against_a_hand_worked_example():
    d = Decimal
    remaining, traced = libr_walk(
        [
            ("clean", d("1000.00")),  # balance 1000.00, stolen 0
            ("stolen", d("5000.00")),  # balance 6000.00, stolen 5000.00
            ("out", d("800.00")),  # balance 5200.00: clean money first, stolen stays 5000.00
            ("out", d("1700.00")),  # balance 3500.00: stolen falls to 3500.00 (1500.00 out)
            ("clean", d("4000.00")),  # balance 7500.00: clean deposits do not restore it
            ("out", d("6000.00")),  # balance 1500.00: stolen 1500.00 (2000.00 out)
            ("stolen", d("250.50")),  # balance 1750.50, stolen 1750.50
            ("out", d("100.25")),  # balance 1650.25, stolen 1650.25 (100.25 out)
        ]
    )
    assert remaining == d("1650.25")
    assert traced == [d("0.00"), d("1500.00"), d("2000.00"), d("100.25")]
    assert libr_walk([("stolen", d("10.00")), ("out", d("10.00"))]) == (d("0.00"), [d("10.00")])


@pytest.mark.parametrize(("difficulty", "seed"), [(d, s) for d in DIFFICULTIES for s in range(5)])
def test_commingling_structure_and_libr(difficulty, seed):
    graph = generate(seed, lab("commingling", difficulty))
    key = answer_key(graph)
    account = key.commingled
    assert graph.addresses[account].label == ""
    incoming = graph.incoming(account)
    assert any(graph.addresses[t.source].kind in ("scammer", "peel") for t in incoming)
    assert any(graph.addresses[t.source].kind not in ("scammer", "peel") for t in incoming)
    named = [t for t in graph.outgoing(account) if t.id == key.withdrawal_tx]
    assert len(named) == 1
    # Amounts are whole cents and the named withdrawal carries stolen money under LIBR.
    assert key.libr_withdrawal.as_tuple().exponent == -2
    assert Decimal(0) < key.libr_withdrawal <= named[0].amount
    assert key.libr_remaining >= 0
    remaining, per_withdrawal = libr_of(graph, account)
    assert (
        remaining == key.libr_remaining and per_withdrawal[key.withdrawal_tx] == key.libr_withdrawal
    )
    # LIBR never exceeds the account's balance at the end.
    balance = sum(t.amount for t in incoming) - sum(t.amount for t in graph.outgoing(account))
    assert key.libr_remaining <= balance


def test_commingling_hard_has_the_round_number_trap():
    found = 0
    for seed in range(6):
        graph = generate(seed, lab("commingling", "hard"))
        key = answer_key(graph)
        stolen = sum(t.amount for t in graph.incoming(graph.start_address))
        _remaining, traced = libr_of(graph, key.commingled)
        exact = [t for t in graph.outgoing(key.commingled) if t.amount == stolen]
        found += bool(exact) and all(traced[t.id] == 0 for t in exact)
    assert found >= 5


def test_commingling_grading_is_to_the_cent():
    graph = generate(7, lab("commingling", "hard"))
    key = answer_key(graph)
    assert grade_tasks(graph, full_answers(graph)) == {
        "commingled": 1.0,
        "libr_withdrawal": 1.0,
        "libr_remaining": 1.0,
    }
    cent = Decimal("0.01")
    answers = {
        "commingled": key.commingled.upper(),
        "libr_withdrawal": f"{key.libr_withdrawal + cent:,} USDT",
        "libr_remaining": format(key.libr_remaining, ",f"),
    }
    assert grade_tasks(graph, answers) == {
        "commingled": 1.0,
        "libr_withdrawal": 0.0,
        "libr_remaining": 1.0,
    }
    assert grade_tasks(graph, {"libr_remaining": 1.5e3})["libr_remaining"] in (0.0, 1.0)


@pytest.mark.parametrize("scenario", NEW)
@pytest.mark.parametrize(
    "answers", [None, {}, "everything", 42, {"cluster": 7, "deposits": [1], "trail": {"a": 1}}]
)
def test_garbage_answers_score_zero_without_raising(scenario, answers):
    graph = generate(2, lab(scenario))
    assert set(grade_tasks(graph, answers).values()) == {0.0}
