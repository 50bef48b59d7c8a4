"""The answer key of a lab graph, read from the graph itself (the address ``kind``, which the
officer never sees), so it follows the money actually generated: only deposits made by the
traced flow count, never decoys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assessments.labs.graph import (
    EXCHANGE_LABEL,
    FLOW_KINDS,
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
    match = EXCHANGE_LABEL.match(address.label)
    if match:
        return match["name"]
    for transfer in graph.outgoing(address_id):
        match = EXCHANGE_LABEL.match(graph.addresses[transfer.target].label)
        if match:
            return match["name"]
    return None


def answer_key(graph: LabGraph) -> AnswerKey:
    addresses = graph.addresses
    totals: dict[str, Decimal] = {}
    asset = "BTC" if graph.params.scenario == "peel_chain" else "USDT"
    bridge_hop = bridge_chain = None
    for transfer in graph.transfers:
        source = addresses[transfer.source].kind
        target = addresses[transfer.target].kind
        if source not in FLOW_KINDS:
            if source == "bridge" and target in FLOW_KINDS:
                bridge_chain = transfer.chain
            continue
        if target == "exchange_deposit":
            name = exchange_name(graph, transfer.target) or transfer.target
            totals[name] = totals.get(name, Decimal(0)) + transfer.amount
            asset = transfer.asset
        elif target == "bridge" and bridge_hop is None:
            bridge_hop = transfer.id
    consolidation = next(a.id for a in addresses.values() if a.kind == "consolidation")
    return AnswerKey(
        exchanges=dict(sorted(totals.items())),
        exchange_asset=asset,
        consolidation_address=consolidation,
        bridge_hop=bridge_hop,
        bridge_chain=bridge_chain if bridge_hop else None,
    )
