"""Generating a lab graph from a seed: the builder's primitives (addresses, transfers, fees,
time) and the assembly of the finished graph. The traced flow comes from scenarios.py and the
decoys from decoys.py; all randomness comes from one random.Random(seed), in a fixed order."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from assessments.labs.commingle import Commingling
from assessments.labs.decoys import Decoys
from assessments.labs.graph import (
    DAY,
    DECIMAL_PLACES,
    EXCHANGE_NAMES,
    NATIVE_ASSET,
    Address,
    Delegation,
    LabGraph,
    LabParams,
    Transaction,
    Transfer,
    round_sig,
)
from assessments.labs.scenarios import TracedFlow
from assessments.labs.tron import TronEnergy
from assessments.labs.utxo import UtxoSweep

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# Byte -> character tables (bytes.translate), the same mapping as indexing by b % size.
_TO_BECH32 = bytes(ord(_BECH32[b % 32]) for b in range(256))
_TO_BASE58 = bytes(ord(_BASE58[b % 58]) for b in range(256))


def _decimal(units: int, places: int) -> Decimal:
    whole, fraction = divmod(units, 10**places)
    return Decimal(f"{whole}.{fraction:0{places}d}")


class _Builder(TracedFlow, Decoys, UtxoSweep, TronEnergy, Commingling):
    """Builds one graph. All randomness comes from one random.Random(seed), in a fixed order."""

    def __init__(self, seed: int, params: LabParams) -> None:
        self.seed = seed
        self.params = params
        # Deterministic lab content, not security: the seed is meant to reproduce the graph.
        self.rng = random.Random(seed)  # noqa: S311
        self.hard = params.difficulty == "hard"
        self.intro = params.difficulty == "intro"
        self.addresses: dict[str, Address] = {}
        self.raw: list[tuple] = []
        self.address_count = 0
        self.base = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(
            days=self.rng.randint(14, 280), seconds=self.rng.randint(0, DAY - 1)
        )
        decoy_exchanges = 0 if self.intro else (2 if self.hard else 1)
        names = self.rng.sample(EXCHANGE_NAMES, params.exchanges + decoy_exchanges)
        self.exchange_names = names[: params.exchanges]
        self.all_exchange_names = names
        self.exchange_queue = list(self.exchange_names)
        self.rng.shuffle(self.exchange_queue)
        self.deposit_events_left = 0
        self.hot: dict[tuple[str, str], str] = {}
        self.deposits: dict[str, list[str]] = {}
        self.decoy_pool: dict[str, list[str]] = {}
        self.victim_payments: list[tuple[str, int, int]] = []
        self.collection = ""
        self.consolidation = ""
        self.consolidation_emptied = 0
        self.flow_end = 0
        self.bridge_seq: int | None = None
        self.seq = 0
        self.raw_txs: list[tuple] = []
        self.raw_delegations: list[tuple] = []
        self.briefing_seq: dict[str, int] = {}
        self.otc_names: set[str] = set()
        self.rental = ""

    # -- primitives --------------------------------------------------------------------------

    def address_id(self, chain: str, style: str) -> str:
        while True:
            self.address_count += 1
            digest = hashlib.sha512(
                f"cryptocops-lab:{self.seed}:address:{self.address_count}".encode()
            ).digest()
            if chain == "ethereum":
                candidate = "0x" + digest[:20].hex()
            elif chain == "tron":
                candidate = "T" + digest[:33].translate(_TO_BASE58).decode()
            elif style == "p2sh":
                candidate = "3" + digest[:33].translate(_TO_BASE58).decode()
            elif style == "p2pkh":
                candidate = "1" + digest[:33].translate(_TO_BASE58).decode()
            elif style == "p2tr":
                candidate = "bc1p" + digest[:58].translate(_TO_BECH32).decode()
            else:
                candidate = "bc1q" + digest[:38].translate(_TO_BECH32).decode()
            if candidate not in self.addresses:
                return candidate

    def address(self, chain: str, kind: str, label: str = "", style: str = "p2wpkh") -> str:
        address_id = self.address_id(chain, style)
        self.addresses[address_id] = Address(id=address_id, chain=chain, label=label, kind=kind)
        return address_id

    def transfer(
        self, t: int, chain: str, source: str, target: str, amount: int, asset: str, fee: int
    ) -> int:
        if amount <= 0 or fee < 0:
            raise RuntimeError(f"lab generator produced a bad amount {amount} / fee {fee}")
        seq = self.seq
        self.seq += 1
        self.raw.append((t, seq, chain, source, target, amount, asset, fee))
        return seq

    def utxo_tx(self, t: int, inputs: list[tuple[str, int]], outputs: list[tuple[str, int]]) -> int:
        """A Bitcoin transaction with several inputs and outputs (amounts in sats); the fee is
        what the inputs hold beyond the outputs. Also adds one transfer per input and output
        pair (each output split in proportion to the inputs), all with the transaction's id."""
        total_in = sum(amount for _, amount in inputs)
        fee = total_in - sum(amount for _, amount in outputs)
        if fee < 0 or any(amount <= 0 for _, amount in (*inputs, *outputs)):
            raise RuntimeError("lab generator produced an unbalanced transaction")
        seq = self.seq
        self.seq += 1
        self.raw_txs.append((t, seq, tuple(inputs), tuple(outputs), fee))
        merged: dict[str, int] = {}
        for address_id, amount in inputs:
            merged[address_id] = merged.get(address_id, 0) + amount
        sources = list(merged.items())
        fees: dict[str, int] = {}
        fee_left = fee
        for index, (source, held) in enumerate(sources):
            fees[source] = fee_left if index == len(sources) - 1 else fee * held // total_in
            fee_left -= fees[source]
        for target, amount in outputs:
            left = amount
            for index, (source, held) in enumerate(sources):
                share = left if index == len(sources) - 1 else amount * held // total_in
                left -= share
                if share > 0:
                    # Each input's fee share rides on its first leg, so it sends what it held.
                    leg_fee = fees.pop(source, 0)
                    self.raw.append((t, seq, "bitcoin", source, target, share, "BTC", leg_fee))
        return seq

    def delegate(self, t: int, source: str, target: str, energy: int, days: int) -> None:
        """A Tron energy delegation (a resource record, not a transfer of value)."""
        seq = self.seq
        self.seq += 1
        self.raw_delegations.append((t, seq, source, target, energy, days))

    def later(self, t: int, low_minutes: int, high_minutes: int) -> int:
        return t + self.rng.randint(low_minutes * 60, high_minutes * 60)

    def fee(self, chain: str, action: str = "transfer") -> int:
        rng = self.rng
        if chain == "bitcoin":
            return rng.randint(2, 25) * rng.randint(110, 230)  # sat/vB x vbytes, in sats
        if chain == "tron":
            return rng.randint(6_000_000, 28_000_000)  # TRC-20 transfer: 6-28 TRX, in sun
        gas = {
            "transfer": 21_000,
            "token": 65_000,
            "swap": 160_000,
            "bridge": 120_000,
            "mixer_in": 950_000,
            "mixer_out": 360_000,
        }[action]
        return max(1, gas * rng.randint(5, 120) // 10_000)  # 0.5-12 gwei, in micro-ETH

    def style(self, chain: str, weights: tuple[int, int, int, int] = (6, 2, 1, 1)) -> str:
        if chain != "bitcoin":
            return ""
        return self.rng.choices(("p2wpkh", "p2sh", "p2pkh", "p2tr"), weights)[0]

    def hot_wallet(self, chain: str, name: str) -> str:
        key = (chain, name)
        if key not in self.hot:
            self.hot[key] = self.address(
                chain, "exchange_hot", f"Exchange: {name} (hot wallet)", self.style(chain)
            )
        return self.hot[key]

    def victims_pay(
        self, chain: str, asset: str, low: int, high: int, span: int
    ) -> tuple[int, int]:
        """Each victim pays the collection address once within `span` seconds, an amount in
        [low, high] (base units, 3 significant figures): returns (total paid, last time).
        For the newer scenarios; peel_chain and mixer_swap_bridge keep their own order of
        draws, so an attempt's seed still gives the graph it gave."""
        total = last = 0
        for number in range(1, self.params.victims + 1):
            when = self.rng.randint(0, span)
            amount = round_sig(self.rng.randint(low, high), 3)
            victim = self.address(chain, "victim", f"Victim {number} (reported)")
            self.transfer(when, chain, victim, self.collection, amount, asset, self.fee(chain))
            self.victim_payments.append((victim, when, amount))
            total += amount
            last = max(last, when)
        return total, last

    def exchanges_fund_victims(
        self, chain: str, asset: str, budget: int, *, extra_share: float = 0.0
    ) -> int:
        """Decoys: exchange withdrawals that paid for some of the victims' payments (they
        lead back to the victims, not onward), `extra_share` at most above what was paid.
        Uses up to `budget` transfers and returns what is left of it."""
        for victim, paid, needed in self.victim_payments:
            if budget and self.rng.random() < 0.6:
                hot = self.hot_wallet(chain, self.rng.choice(self.all_exchange_names))
                extra = int(needed * self.rng.uniform(0, extra_share)) if extra_share else 0
                when = paid - self.rng.randint(3_600, 4 * DAY)
                self.transfer(when, chain, hot, victim, needed + extra, asset, self.fee(chain))
                budget -= 1
        return budget

    def decoy(self, chain: str, fresh: float = 0.45) -> str:
        pool = self.decoy_pool.setdefault(chain, [])
        if len(pool) < 3 or self.rng.random() < fresh:
            pool.append(self.address(chain, "decoy", "", self.style(chain)))
            return pool[-1]
        return self.rng.choice(pool)

    # -- assembly ----------------------------------------------------------------------------

    def build(self) -> LabGraph:
        scenario = self.params.scenario
        if scenario == "peel_chain":
            self.scenario_peel_chain()
            self.decoys(None)
        elif scenario == "mixer_swap_bridge":
            self.decoys(self.scenario_mixer_swap_bridge())
        elif scenario == "utxo_sweep":
            self.scenario_utxo_sweep()
        elif scenario == "tron_energy":
            self.scenario_tron_energy()
        else:
            self.scenario_commingling()
        self.raw.sort()
        transfers = []
        seed = self.seed
        base = self.base
        for t, seq, chain, source, target, amount, asset, fee in self.raw:
            digest = hashlib.sha256(f"cryptocops-lab:{seed}:tx:{seq}".encode()).hexdigest()
            transfers.append(
                Transfer(
                    id="0x" + digest if chain == "ethereum" else digest,
                    chain=chain,
                    source=source,
                    target=target,
                    amount=_decimal(amount, DECIMAL_PLACES[asset]),
                    asset=asset,
                    time=base + timedelta(seconds=t),
                    fee=_decimal(fee, DECIMAL_PLACES[NATIVE_ASSET[chain]]),
                )
            )
        places = DECIMAL_PLACES["BTC"]
        transactions = {}
        for t, seq, inputs, outputs, fee in sorted(self.raw_txs):
            tx_id = hashlib.sha256(f"cryptocops-lab:{seed}:tx:{seq}".encode()).hexdigest()
            transactions[tx_id] = Transaction(
                id=tx_id,
                chain="bitcoin",
                time=base + timedelta(seconds=t),
                inputs=tuple((a, _decimal(amount, places)) for a, amount in inputs),
                outputs=tuple((a, _decimal(amount, places)) for a, amount in outputs),
                fee=_decimal(fee, places),
                asset="BTC",
            )
        delegations = [
            Delegation(
                id=hashlib.sha256(f"cryptocops-lab:{seed}:delegation:{seq}".encode()).hexdigest(),
                source=source,
                target=target,
                energy=energy,
                time=base + timedelta(seconds=t),
                days=days,
            )
            for t, seq, source, target, energy, days in sorted(self.raw_delegations)
        ]
        briefing = {
            name: hashlib.sha256(f"cryptocops-lab:{seed}:tx:{seq}".encode()).hexdigest()
            for name, seq in self.briefing_seq.items()
        }
        return LabGraph(
            seed=seed,
            params=self.params,
            addresses=dict(self.addresses),
            transfers=transfers,
            start_address=self.collection,
            transactions=transactions,
            delegations=delegations,
            briefing=briefing,
        )


def generate(seed: int, params: LabParams) -> LabGraph:
    """The lab graph for one attempt: the same seed and parameters always give the same graph."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if not isinstance(params, LabParams):
        raise TypeError(f"params must be LabParams, got {type(params).__name__}")
    problems = params.problems()
    if problems:
        raise ValueError("; ".join(problems))
    return _Builder(seed, params).build()
