"""The tracing-lab graph: its parameters, addresses and transfers, and the fixed vocabulary
(scenarios, chains, assets, fictional service names) every other labs module shares.

Every officer's attempt gets its own graph, built only from an integer seed and the lab's
parameters (from the lab definition in the content YAML). The same seed and parameters always
give the same graph, so nothing but the seed has to be stored with the attempt. The graph is
fiction: addresses and transaction ids are hashes of the seed, not real on-chain data.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

SCENARIOS = ("peel_chain", "mixer_swap_bridge")
DIFFICULTIES = ("intro", "standard", "hard")
CHAINS = ("bitcoin", "ethereum", "tron")
KINDS = (
    "victim",
    "scammer",
    "peel",
    "exchange_deposit",
    "exchange_hot",
    "mixer",
    "swap",
    "bridge",
    "consolidation",
    "decoy",
    "change",
)
NATIVE_ASSET = {"bitcoin": "BTC", "ethereum": "ETH", "tron": "TRX"}
DECIMAL_PLACES = {"BTC": 8, "ETH": 6, "USDT": 2, "TRX": 6}
RANGES = {"victims": (1, 20), "peel_hops": (2, 200), "exchanges": (1, 6), "noise": (0, 2000)}

# Fictional services. None of these names is meant to refer to a real company.
EXCHANGE_NAMES = (
    "Kimchi Exchange",
    "Siam Digital",
    "Nordvik Crypto",
    "Andes Bit",
    "Harbourline",
    "Lumen Markets",
    "Baltic Coin House",
    "Sahara Trade",
)
MIXER_LABEL = "Mixer: Tumbleweed pool"
SWAP_LABEL = "Swap: SwiftSwap router"
BRIDGE_LABEL = "Bridge: Wormgate bridge contract"
BRIDGE_RELEASE_LABEL = "Bridge: Wormgate bridge release (tron)"
COLLECTION_LABEL = "Scam collection address (reported)"

# Kinds that make up the scammer's side of the money trail, and the services it pays into.
FLOW_KINDS = frozenset({"scammer", "consolidation", "peel"})
SERVICE_KINDS = frozenset({"exchange_deposit", "mixer", "swap", "bridge"})

EXCHANGE_LABEL = re.compile(r"^Exchange: (?P<name>.+) \((?:deposit|hot wallet)\)$")
DAY = 86_400


@dataclass(frozen=True)
class LabParams:
    scenario: str
    victims: int = 3
    peel_hops: int = 8
    exchanges: int = 2
    noise: int = 20
    difficulty: str = "standard"

    @classmethod
    def from_dict(cls, data: dict) -> LabParams:
        """Parameters from a lab definition; ValueError naming the bad key if they are wrong."""
        if not isinstance(data, Mapping):
            raise ValueError(f"lab parameters must be a mapping, got {type(data).__name__}")
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(repr(key) for key in data if key not in allowed)
        if unknown:
            raise ValueError(
                f"unknown lab parameter {', '.join(unknown)} (allowed: {', '.join(allowed)})"
            )
        if "scenario" not in data:
            raise ValueError(f"scenario is required (one of: {', '.join(SCENARIOS)})")
        params = cls(**dict(data))
        problems = params.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return params

    def problems(self) -> list[str]:
        """What is wrong with these parameters, one message per key; empty if they are valid."""
        found = []
        if self.scenario not in SCENARIOS:
            found.append(f"scenario must be one of {', '.join(SCENARIOS)}, got {self.scenario!r}")
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                found.append(f"{name} must be an integer, got {value!r}")
            elif not low <= value <= high:
                found.append(f"{name} must be between {low} and {high}, got {value}")
        if self.difficulty not in DIFFICULTIES:
            found.append(
                f"difficulty must be one of {', '.join(DIFFICULTIES)}, got {self.difficulty!r}"
            )
        return found

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Address:
    id: str
    chain: str
    label: str
    kind: str  # ground truth for the answer key: never show it to the officer


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    chain: str
    source: str
    target: str
    amount: Decimal
    asset: str
    time: datetime
    fee: Decimal

    @property
    def fee_asset(self) -> str:
        """The network fee is paid in the chain's native coin."""
        return NATIVE_ASSET[self.chain]


@dataclass(frozen=True)
class LabGraph:
    seed: int
    params: LabParams
    addresses: dict[str, Address]
    transfers: list[Transfer]
    start_address: str
    _out: dict[str, list[Transfer]] = field(init=False, repr=False, compare=False)
    _in: dict[str, list[Transfer]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        out: dict[str, list[Transfer]] = {}
        inc: dict[str, list[Transfer]] = {}
        for transfer in self.transfers:
            out.setdefault(transfer.source, []).append(transfer)
            inc.setdefault(transfer.target, []).append(transfer)
        object.__setattr__(self, "_out", out)
        object.__setattr__(self, "_in", inc)

    def outgoing(self, address_id: str) -> list[Transfer]:
        return list(self._out.get(address_id, ()))

    def incoming(self, address_id: str) -> list[Transfer]:
        return list(self._in.get(address_id, ()))

    def neighbours(self, address_id: str) -> set[str]:
        found = {t.target for t in self._out.get(address_id, ())}
        found.update(t.source for t in self._in.get(address_id, ()))
        found.discard(address_id)
        return found


def round_sig(units: int, digits: int) -> int:
    """Round down to `digits` significant digits: the "round number" a person would type."""
    size = len(str(units))
    if size <= digits:
        return units
    step = 10 ** (size - digits)
    return units // step * step


def graph_fingerprint(graph: LabGraph) -> str:
    """A stable SHA-256 over every field of the graph, to check that generation is repeatable."""
    digest = hashlib.sha256()
    digest.update(repr((graph.seed, sorted(graph.params.as_dict().items()))).encode())
    digest.update(graph.start_address.encode())
    for address in sorted(graph.addresses.values(), key=lambda a: a.id):
        digest.update(f"|A|{address.id}|{address.chain}|{address.label}|{address.kind}".encode())
    for t in graph.transfers:
        digest.update(
            f"|T|{t.id}|{t.chain}|{t.source}|{t.target}|{t.amount}|{t.asset}|"
            f"{t.time.isoformat()}|{t.fee}".encode()
        )
    return digest.hexdigest()
