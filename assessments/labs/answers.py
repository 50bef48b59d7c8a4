"""The answer key of a lab graph, read from the graph itself (the address ``kind``, which the
officer never sees), so it follows the money actually generated: only deposits made by the
traced flow count, never decoys."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from assessments.labs.commingle import libr_walk
from assessments.labs.graph import (
    EXCHANGE_LABEL,
    FLOW_KINDS,
    OTC_LABEL,
    SERVICE_KINDS,
    LabGraph,
    Transfer,
)


@dataclass(frozen=True)
class AnswerKey:
    exchanges: dict[str, Decimal]
    exchange_asset: str
    consolidation_address: str
    bridge_hop: str | None
    bridge_chain: str | None
    # utxo_sweep: the thief's wallet (besides the reported address), addresses that may be
    # named without cost (the reported address, the thief's CoinJoin outputs), the change
    # output of the transaction named in the case file, and the unlabelled deposit addresses.
    cluster: frozenset[str] = frozenset()
    cluster_neutral: frozenset[str] = frozenset()
    change_tx: str | None = None
    change_output: str | None = None
    deposits: dict[str, Decimal] = field(default_factory=dict)
    # tron_energy: the addresses that carried the stolen USDT after the reported address, and
    # those that may be named without cost (the reported address, the TRX funder).
    trail: frozenset[str] = frozenset()
    trail_neutral: frozenset[str] = frozenset()
    # commingling: the account, the named withdrawal and the stolen amounts under LIBR.
    commingled: str | None = None
    withdrawal_tx: str | None = None
    libr_withdrawal: Decimal | None = None
    libr_remaining: Decimal | None = None


def is_traced(graph: LabGraph, transfer: Transfer) -> bool:
    """Whether a transfer carries the stolen funds (ground truth, never shown to the officer)."""
    source = graph.addresses[transfer.source].kind
    target = graph.addresses[transfer.target].kind
    if source in FLOW_KINDS or source == "victim":
        return target in FLOW_KINDS or target in SERVICE_KINDS
    return source in ("mixer", "swap", "bridge") and target in FLOW_KINDS


def traced_transfers(graph: LabGraph) -> list[Transfer]:
    """The money trail from the victims to the exchanges, in time order."""
    return [transfer for transfer in graph.transfers if is_traced(graph, transfer)]


def exchange_name(graph: LabGraph, address_id: str) -> str | None:
    """The exchange an address belongs to, from its label or the hot wallet it sweeps into."""
    address = graph.addresses.get(address_id)
    if address is None:
        return None
    match = EXCHANGE_LABEL.match(address.label) or OTC_LABEL.match(address.label)
    if match:
        return match["name"]
    for transfer in graph.outgoing(address_id):
        match = EXCHANGE_LABEL.match(graph.addresses[transfer.target].label)
        if match:
            return match["name"]
    return None


def libr_of(graph: LabGraph, account: str) -> tuple[Decimal, dict[str, Decimal]]:
    """LIBR over one account's transfers: the stolen amount left, and per withdrawal (by
    transaction id) the stolen amount traced into it. Stolen funds come from the flow."""
    events, withdrawals = [], []
    for transfer in graph.transfers:  # already in time order
        if transfer.target == account:
            source = graph.addresses[transfer.source].kind
            events.append(("stolen" if source in FLOW_KINDS else "clean", transfer.amount))
        elif transfer.source == account:
            events.append(("out", transfer.amount))
            withdrawals.append(transfer.id)
    remaining, traced = libr_walk(events)
    return remaining, dict(zip(withdrawals, traced, strict=True))


def _utxo_fields(graph: LabGraph) -> dict:
    kinds = {a.id: a.kind for a in graph.addresses.values()}
    deposits: dict[str, Decimal] = {}
    for tx in graph.transactions.values():
        if any(kinds[a] == "wallet" for a, _ in tx.inputs):
            for address_id, amount in tx.outputs:
                if kinds[address_id] == "exchange_deposit":
                    deposits[address_id] = deposits.get(address_id, Decimal(0)) + amount
    change_tx = graph.briefing.get("change_tx")
    change = None
    if change_tx in graph.transactions:
        change = next(
            (a for a, _ in graph.transactions[change_tx].outputs if kinds[a] == "wallet"), None
        )
    return {
        "cluster": frozenset(a for a, k in kinds.items() if k == "wallet") - {graph.start_address},
        "cluster_neutral": frozenset(a for a, k in kinds.items() if k == "coinjoin")
        | {graph.start_address},
        "change_tx": change_tx,
        "change_output": change,
        "deposits": dict(sorted(deposits.items())),
    }


def _tron_fields(graph: LabGraph) -> dict:
    return {
        "trail": frozenset(
            a.id for a in graph.addresses.values() if a.kind in ("consolidation", "peel")
        ),
        "trail_neutral": frozenset(a.id for a in graph.addresses.values() if a.kind == "funder")
        | {graph.start_address},
    }


def _commingling_fields(graph: LabGraph) -> dict:
    account = next(a.id for a in graph.addresses.values() if a.kind == "commingled")
    remaining, traced = libr_of(graph, account)
    withdrawal = graph.briefing.get("withdrawal_tx")
    return {
        "commingled": account,
        "withdrawal_tx": withdrawal,
        "libr_withdrawal": traced.get(withdrawal),
        "libr_remaining": remaining,
    }


def answer_key(graph: LabGraph) -> AnswerKey:
    addresses = graph.addresses
    totals: dict[str, Decimal] = {}
    scenario = graph.params.scenario
    asset = "BTC" if scenario in ("peel_chain", "utxo_sweep") else "USDT"
    bridge_hop = bridge_chain = None
    for transfer in graph.transfers:
        source = addresses[transfer.source].kind
        target = addresses[transfer.target].kind
        if source not in FLOW_KINDS:
            if source == "bridge" and target in FLOW_KINDS:
                bridge_chain = transfer.chain
            continue
        if target in ("exchange_deposit", "otc"):
            name = exchange_name(graph, transfer.target) or transfer.target
            totals[name] = totals.get(name, Decimal(0)) + transfer.amount
            asset = transfer.asset
        elif target == "bridge" and bridge_hop is None:
            bridge_hop = transfer.id
    consolidation = next((a.id for a in addresses.values() if a.kind == "consolidation"), "")
    extra = {}
    if scenario == "utxo_sweep":
        extra = _utxo_fields(graph)
        totals = {}
    elif scenario == "tron_energy":
        extra = _tron_fields(graph)
    elif scenario == "commingling":
        extra = _commingling_fields(graph)
        totals = {}
    return AnswerKey(
        exchanges=dict(sorted(totals.items())),
        exchange_asset=asset,
        consolidation_address=consolidation,
        bridge_hop=bridge_hop,
        bridge_chain=bridge_chain if bridge_hop else None,
        **extra,
    )
