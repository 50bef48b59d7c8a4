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

SCENARIOS = ("peel_chain", "mixer_swap_bridge", "utxo_sweep", "tron_energy", "commingling")
# The first two scenarios ask for the consolidation address and the exchanges; the others
# have their own tasks (see TASKS).
CLASSIC_SCENARIOS = ("peel_chain", "mixer_swap_bridge")
TASKS = {
    "peel_chain": ("exchanges", "consolidation"),
    "mixer_swap_bridge": ("exchanges", "consolidation", "bridge"),
    "utxo_sweep": ("cluster", "change_output", "deposits"),
    "tron_energy": ("trail", "exchanges"),
    "commingling": ("commingled", "libr_withdrawal", "libr_remaining"),
}
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
    "wallet",  # utxo_sweep: an address of the thief's wallet (the cluster)
    "coinjoin",  # utxo_sweep: the thief's outputs of a CoinJoin (not provable by common input)
    "funder",  # tron_energy: the launderer's TRX top-up address
    "rental",  # tron_energy: the energy-rental service
    "otc",  # tron_energy: an OTC desk endpoint
    "commingled",  # commingling: the account where stolen and clean funds mix
    "clean",  # commingling: a source of clean funds
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
RENTAL_LABEL = "Energy rental: VoltLease"
OTC_NAMES = ("Golden Lotus OTC", "Danube OTC desk", "Mekong Pay OTC")

# Kinds that make up the scammer's side of the money trail, and the services it pays into.
FLOW_KINDS = frozenset({"scammer", "consolidation", "peel"})
SERVICE_KINDS = frozenset({"exchange_deposit", "mixer", "swap", "bridge"})

EXCHANGE_LABEL = re.compile(r"^Exchange: (?P<name>.+) \((?:deposit|hot wallet)\)$")
OTC_LABEL = re.compile(r"^OTC: (?P<name>.+)$")
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


@dataclass(frozen=True, slots=True)
class Transaction:
    """A Bitcoin transaction with several inputs and outputs (utxo_sweep). Its value also
    appears as transfers (one per input and output pair, the output split in proportion to
    the inputs, as address-graph tools draw it), all with the transaction's id."""

    id: str
    chain: str
    time: datetime
    inputs: tuple[tuple[str, Decimal], ...]
    outputs: tuple[tuple[str, Decimal], ...]
    fee: Decimal
    asset: str


@dataclass(frozen=True, slots=True)
class Delegation:
    """A Tron resource delegation: `source` lends `energy` to `target` (tron_energy), so the
    target can move USDT without holding TRX for the fee."""

    id: str
    source: str
    target: str
    energy: int
    time: datetime
    days: int


@dataclass(frozen=True)
class LabGraph:
    seed: int
    params: LabParams
    addresses: dict[str, Address]
    transfers: list[Transfer]
    start_address: str
    transactions: dict[str, Transaction] = field(default_factory=dict)
    delegations: list[Delegation] = field(default_factory=list)
    # What the case file names for the officer (a transaction to examine); never the answers.
    briefing: dict[str, str] = field(default_factory=dict)
    _out: dict[str, list[Transfer]] = field(init=False, repr=False, compare=False)
    _in: dict[str, list[Transfer]] = field(init=False, repr=False, compare=False)
    _txs: dict[str, list[Transaction]] = field(init=False, repr=False, compare=False)
    _delegated: dict[str, list[Delegation]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        out: dict[str, list[Transfer]] = {}
        inc: dict[str, list[Transfer]] = {}
        for transfer in self.transfers:
            out.setdefault(transfer.source, []).append(transfer)
            inc.setdefault(transfer.target, []).append(transfer)
        txs: dict[str, list[Transaction]] = {}
        for tx in self.transactions.values():
            for address_id in dict.fromkeys(a for a, _ in (*tx.inputs, *tx.outputs)):
                txs.setdefault(address_id, []).append(tx)
        delegated: dict[str, list[Delegation]] = {}
        for record in self.delegations:
            delegated.setdefault(record.source, []).append(record)
            if record.target != record.source:
                delegated.setdefault(record.target, []).append(record)
        object.__setattr__(self, "_out", out)
        object.__setattr__(self, "_in", inc)
        object.__setattr__(self, "_txs", txs)
        object.__setattr__(self, "_delegated", delegated)

    def transactions_of(self, address_id: str) -> list[Transaction]:
        """Multi-input/multi-output transactions the address takes part in, in time order."""
        return list(self._txs.get(address_id, ()))

    def delegations_of(self, address_id: str) -> list[Delegation]:
        """Energy delegations the address gave or received, in time order."""
        return list(self._delegated.get(address_id, ()))

    def outgoing(self, address_id: str) -> list[Transfer]:
        return list(self._out.get(address_id, ()))

    def incoming(self, address_id: str) -> list[Transfer]:
        return list(self._in.get(address_id, ()))

    def neighbours(self, address_id: str) -> set[str]:
        found = {t.target for t in self._out.get(address_id, ())}
        found.update(t.source for t in self._in.get(address_id, ()))
        found.discard(address_id)
        return found


def totals_by_asset(transfers: list[Transfer]) -> str:
    """What the transfers add up to, per asset ("1.5 BTC" or "120.00 USDT, 30.000000 TRX"):
    a Tron address holds USDT and the TRX for its fees, which never add together."""
    totals: dict[str, Decimal] = {}
    for transfer in transfers:
        totals[transfer.asset] = totals.get(transfer.asset, Decimal(0)) + transfer.amount
    return ", ".join(f"{format(amount, 'f')} {asset}" for asset, amount in totals.items())


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
    for tx in graph.transactions.values():
        digest.update(
            f"|X|{tx.id}|{tx.time.isoformat()}|{tx.inputs}|{tx.outputs}|{tx.fee}".encode()
        )
    for d in graph.delegations:
        digest.update(f"|D|{d.id}|{d.source}|{d.target}|{d.energy}|{d.time.isoformat()}".encode())
    digest.update(repr(sorted(graph.briefing.items())).encode())
    return digest.hexdigest()
