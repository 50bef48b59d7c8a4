"""Seeded, synthetic transaction graphs for tracing labs, with their answer key and grading.

Every officer's attempt gets its own graph, built only from an integer seed and the lab's
parameters (from the lab definition in the content YAML). The same seed and parameters always
give the same graph, so nothing but the seed has to be stored with the attempt. The graph is
fiction: addresses and transaction ids are hashes of the seed, not real on-chain data.

The story
---------

Both scenarios open the same way, as in a typical investment-fraud case file. Between 1 and 20
victims (labelled "Victim N (reported)") each pay the scam collection address that they gave to
the police ("Scam collection address (reported)", where the officer starts). The collection
address forwards the money, in one to three sweeps, to an unlabelled **consolidation address**
where the victims' money is pooled. Finding it is the first task.

``peel_chain`` (module 2, Bitcoin):
    From the consolidation address the pooled BTC goes to a fresh ``bc1q`` address, which starts
    a **peel chain**: each hop sends most of its balance to another fresh address of the same
    script type (the change, non-round) and "peels" a smaller, roundish amount to an exchange
    deposit address (usually a ``3...`` address, labelled "Exchange: NAME (deposit)"). The last
    hop sends what is left to a deposit address as well. Every deposit address is later swept
    by the exchange into its hot wallet ("Exchange: NAME (hot wallet)"). The task is to list
    the exchanges that received the stolen funds and how much each received: these are the
    exchanges to send preservation and disclosure requests to.

``mixer_swap_bridge`` (module 3, Ethereum to Tron):
    The victims pay ETH. From the consolidation address, part of the money goes into a mixer
    pool ("Mixer: Tumbleweed pool") in fixed denominations; the pool pays the same
    denominations, minus a relayer fee, out to fresh addresses hours or days later, mixed in
    with other users' deposits and withdrawals. The scammer's withdrawal addresses each swap
    their ETH for USDT through a swap router ("Swap: SwiftSwap router"), which pays the USDT to
    one collecting address. The rest of the pooled ETH is swapped directly, skipping the mixer:
    the mistake that lets an investigator bridge over it. The collecting address sends all
    its USDT into a bridge contract on Ethereum ("Bridge: Wormgate bridge contract"): that
    transfer is the **bridge hop**. Minutes later the bridge's release address on Tron pays the
    bridged USDT (less the bridge fee) to the scammer's Tron address, which starts a USDT peel
    chain to exchange deposit addresses on Tron, swept to the exchanges' hot wallets.

Decoys make the graph realistic: unrelated payments between unlabelled addresses (some with
change outputs), exchange hot-wallet withdrawals and top-ups (including the withdrawals that
funded the victims, so exchanges appear that never received stolen funds), other users of the
mixer, swap router and bridge, and (from ``standard`` difficulty) small payments *into* the
consolidation address after it was emptied, which lead nowhere. ``hard`` adds half as many
decoys again, a fan-out in which one hop splits the balance into two or three parallel peel
chains, change outputs that are round numbers (so the round-number heuristic points the wrong
way: "launderers pay themselves") and, in the mixer scenario, other bridge deposits of similar
size and time.

Amounts are quantized like the real assets (BTC 8, ETH 6, USDT 2 decimal places) and worked
out in integer base units, so on the traced path every address pays out exactly what it
received. ``Transfer.fee`` is the network fee in the chain's native coin (BTC, ETH or TRX, see
``Transfer.fee_asset``): it comes out of the sender's balance for BTC and ETH transfers, while
the sender of a USDT transfer pays it in ETH or TRX held elsewhere.

The answer key is read from the generated graph itself (the address ``kind``, which the officer
never sees), so it follows the money actually generated: only deposits made by the traced flow
count, never decoys.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise

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

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_EXCHANGE_LABEL = re.compile(r"^Exchange: (?P<name>.+) \((?:deposit|hot wallet)\)$")
_DAY = 86_400


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


@dataclass(frozen=True)
class AnswerKey:
    exchanges: dict[str, Decimal]
    exchange_asset: str
    consolidation_address: str
    bridge_hop: str | None
    bridge_chain: str | None


def _decimal(units: int, places: int) -> Decimal:
    whole, fraction = divmod(units, 10**places)
    return Decimal(f"{whole}.{fraction:0{places}d}")


def _round_sig(units: int, digits: int) -> int:
    """Round down to `digits` significant digits: the "round number" a person would type."""
    size = len(str(units))
    if size <= digits:
        return units
    step = 10 ** (size - digits)
    return units // step * step


def _bitcoin_style(address_id: str) -> str:
    """The script type of a synthetic Bitcoin address (change usually keeps the input's type)."""
    if address_id.startswith("bc1p"):
        return "p2tr"
    return {"3": "p2sh", "1": "p2pkh"}.get(address_id[:1], "p2wpkh")


class _Builder:
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
            days=self.rng.randint(14, 280), seconds=self.rng.randint(0, _DAY - 1)
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
                candidate = "T" + "".join(_BASE58[b % 58] for b in digest[:33])
            elif style == "p2sh":
                candidate = "3" + "".join(_BASE58[b % 58] for b in digest[:33])
            elif style == "p2pkh":
                candidate = "1" + "".join(_BASE58[b % 58] for b in digest[:33])
            elif style == "p2tr":
                candidate = "bc1p" + "".join(_BECH32[b % 32] for b in digest[:58])
            else:
                candidate = "bc1q" + "".join(_BECH32[b % 32] for b in digest[:38])
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
        seq = len(self.raw)
        self.raw.append((t, seq, chain, source, target, amount, asset, fee))
        return seq

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

    def decoy(self, chain: str, fresh: float = 0.45) -> str:
        pool = self.decoy_pool.setdefault(chain, [])
        if len(pool) < 3 or self.rng.random() < fresh:
            pool.append(self.address(chain, "decoy", "", self.style(chain)))
            return pool[-1]
        return self.rng.choice(pool)

    # -- the traced flow ---------------------------------------------------------------------

    def front(self, chain: str, asset: str, minimum_total: int) -> tuple[str, int, int]:
        """Victims -> collection -> consolidation. Returns (consolidation, balance, time)."""
        rng, params = self.rng, self.params
        collection = self.collection = self.address(chain, "scammer", COLLECTION_LABEL)
        self.consolidation = self.address(chain, "consolidation")
        low, high = (5_000_000, 250_000_000) if asset == "BTC" else (500_000, 15_000_000)
        amounts = [_round_sig(rng.randint(low, high), 3) for _ in range(params.victims)]
        if sum(amounts) < minimum_total:
            factor = -(-minimum_total // sum(amounts))
            amounts = [amount * factor for amount in amounts]
        span = rng.randint(1, 10) * _DAY
        times = sorted(rng.randint(0, span) for _ in range(params.victims))
        for number, (t, amount) in enumerate(zip(times, amounts, strict=True), start=1):
            victim = self.address(
                chain, "victim", f"Victim {number} (reported)", self.style(chain, (5, 2, 3, 1))
            )
            fee = self.fee(chain)
            self.transfer(t, chain, victim, collection, amount, asset, fee)
            self.victim_payments.append((victim, t, amount + fee))

        batches = 1 if params.victims < 3 else rng.randint(1, min(3, params.victims))
        cuts = sorted(rng.sample(range(1, params.victims), batches - 1)) if batches > 1 else []
        bounds = [0, *cuts, params.victims]
        balance = 0
        last = 0
        for start, end in pairwise(bounds):
            swept = max(self.later(times[end - 1], 10, 720), last + 60)
            fee = self.fee(chain)
            amount = sum(amounts[start:end]) - fee
            self.transfer(swept, chain, collection, self.consolidation, amount, asset, fee)
            balance += amount
            last = swept
        return self.consolidation, balance, last

    def pick_exchange(self) -> str:
        rng = self.rng
        left = self.deposit_events_left
        self.deposit_events_left -= 1
        if self.exchange_queue and (left <= len(self.exchange_queue) or rng.random() < 0.5):
            return self.exchange_queue.pop()
        return rng.choice(self.exchange_names)

    def deposit(self, chain: str, asset: str, source: str, amount: int, fee: int, t: int) -> None:
        """Pay into an exchange deposit address; the exchange sweeps it to its hot wallet."""
        rng = self.rng
        name = self.pick_exchange()
        pool = self.deposits.setdefault(name, [])
        if not pool or (len(pool) < 3 and rng.random() < 0.3):
            label = f"Exchange: {name} (deposit)"
            pool.append(
                self.address(chain, "exchange_deposit", label, self.style(chain, (3, 7, 0, 0)))
            )
            target = pool[-1]
        else:
            target = rng.choice(pool)
        self.transfer(t, chain, source, target, amount, asset, fee)
        swept = self.later(t, 10, 240)
        sweep_fee = self.fee(chain, "token")
        native = asset == NATIVE_ASSET[chain]
        swept_amount = amount - sweep_fee if native else amount
        hot = self.hot_wallet(chain, name)
        self.transfer(swept, chain, target, hot, swept_amount, asset, sweep_fee)
        self.flow_end = max(self.flow_end, swept)

    def peel_chain(
        self, chain: str, asset: str, entry: str, balance: int, t: int, hops: int, fan_out: bool
    ) -> None:
        """`hops` addresses, starting with `entry` (which holds `balance` since time `t`)."""
        rng = self.rng
        native = asset == NATIVE_ASSET[chain]
        action = "transfer" if native else "token"
        minimum = 50_000 if asset == "BTC" else 1_000  # 0.0005 BTC / 10 USDT
        final_share = rng.uniform(0.15, 0.35)
        rate = 1 - final_share ** (1 / max(1, hops - 1))
        fan_at = rng.randint(2, max(2, hops // 3)) if fan_out and hops >= 6 else None
        if fan_out:
            self.deposit_events_left = hops - (1 if fan_at else 0)
        current, now = entry, t
        for hop in range(1, hops + 1):
            now = self.later(now, 5, 360)
            if hop == fan_at:
                self.fan_out(chain, asset, current, balance, now, hops - hop)
                return
            fee_peel, fee_next = self.fee(chain, action), self.fee(chain, action)
            spend = balance - fee_peel - fee_next if native else balance
            if hop == hops or spend < 4 * minimum:
                amount = balance - fee_peel if native else balance
                self.deposit(chain, asset, current, amount, fee_peel, now)
                return
            share = min(0.45, rate * rng.uniform(0.6, 1.4))
            peel = _round_sig(max(minimum, int(spend * share)), 3)
            following = spend - peel
            if self.hard and hop > 1 and rng.random() < 0.3:
                # Round-number trap: the change is round, the exchange payment is not.
                round_change = _round_sig(following, 2)
                if 0 < spend - round_change < round_change:
                    following, peel = round_change, spend - round_change
            successor = self.address(chain, "peel")
            self.deposit(chain, asset, current, peel, fee_peel, now)
            moved = now if chain == "bitcoin" else self.later(now, 1, 15)
            self.transfer(moved, chain, current, successor, following, asset, fee_next)
            current, balance, now = successor, following, moved

    def fan_out(
        self, chain: str, asset: str, source: str, balance: int, t: int, remaining: int
    ) -> None:
        """Split the balance into 2-3 parallel peel chains sharing the remaining hops."""
        rng = self.rng
        native = asset == NATIVE_ASSET[chain]
        branches = 3 if remaining >= 6 and rng.random() < 0.5 else 2
        fees = [self.fee(chain, "transfer" if native else "token") for _ in range(branches)]
        spend = balance - sum(fees) if native else balance
        parts = [_round_sig(int(spend * rng.uniform(0.25, 0.4)), 2) for _ in range(branches - 1)]
        parts.append(spend - sum(parts))
        counts = [
            remaining // branches + (1 if i < remaining % branches else 0) for i in range(branches)
        ]
        moved = t
        starts = []
        for part, fee in zip(parts, fees, strict=True):
            child = self.address(chain, "peel")
            self.transfer(moved, chain, source, child, part, asset, fee)
            starts.append((child, part, moved))
            if chain != "bitcoin":
                moved = self.later(moved, 1, 10)
        for (child, part, when), count in zip(starts, counts, strict=True):
            self.peel_chain(chain, asset, child, part, when, count, fan_out=False)

    def scenario_peel_chain(self) -> None:
        hops = self.params.peel_hops
        consolidation, balance, t = self.front("bitcoin", "BTC", hops * 300_000 + 2_000_000)
        first_hop = self.address("bitcoin", "peel")
        moved = self.later(t, 30, 2_880)
        fee = self.fee("bitcoin")
        self.transfer(moved, "bitcoin", consolidation, first_hop, balance - fee, "BTC", fee)
        self.consolidation_emptied = moved
        self.deposit_events_left = hops
        self.peel_chain("bitcoin", "BTC", first_hop, balance - fee, moved, hops, self.hard)

    def scenario_mixer_swap_bridge(self) -> dict:
        rng = self.rng
        hops = self.params.peel_hops
        price = rng.randint(180_000, 420_000)  # US cents per ETH

        def swap(micro_eth: int) -> int:  # 0.3% pool fee, result in USDT cents
            return micro_eth * price * 997 // 1_000_000_000

        consolidation, balance, t = self.front("ethereum", "ETH", max(1_000_000, hops * 50_000))
        mixer = self.address("ethereum", "mixer", MIXER_LABEL)
        router = self.address("ethereum", "swap", SWAP_LABEL)
        bridge = self.address("ethereum", "bridge", BRIDGE_LABEL)
        release = self.address("tron", "bridge", BRIDGE_RELEASE_LABEL)
        collector = self.address("ethereum", "scammer")

        mix_share = rng.uniform(0.5, 0.8)
        denomination, count = 100_000, 0
        for denomination in (100_000_000, 10_000_000, 1_000_000, 100_000):  # 100/10/1/0.1 ETH
            count = int(balance * mix_share) // denomination
            if count >= 2:
                break
        count = min(count, 12)
        deposited = self.later(t, 20, 600)
        first_deposit = deposited
        deposit_times = []
        for _ in range(count):
            fee = self.fee("ethereum", "mixer_in")
            self.transfer(deposited, "ethereum", consolidation, mixer, denomination, "ETH", fee)
            deposit_times.append(deposited)
            balance -= denomination + fee
            deposited = self.later(deposited, 2, 90)
        fee = self.fee("ethereum", "swap")
        direct = balance - fee
        self.transfer(deposited, "ethereum", consolidation, router, direct, "ETH", fee)
        self.consolidation_emptied = deposited
        usdt = swap(direct)
        self.transfer(deposited, "ethereum", router, collector, usdt, "USDT", 0)
        total_usdt, last = usdt, deposited

        # Each withdrawal spends an earlier deposit's note, hours or days later.
        withdrawals = sorted(
            rng.randint(first_deposit + 2 * 3_600, deposited + 3 * _DAY) for _ in range(count)
        )
        withdrawals = [
            max(withdrawn, deposit_time + rng.randint(3_600, 4 * 3_600))
            for withdrawn, deposit_time in zip(withdrawals, deposit_times, strict=True)
        ]
        for withdrawn in withdrawals:
            address = self.address("ethereum", "scammer")
            amount = denomination - int(denomination * rng.uniform(0.001, 0.004))
            fee = self.fee("ethereum", "mixer_out")
            self.transfer(withdrawn, "ethereum", mixer, address, amount, "ETH", fee)
            swapped = self.later(withdrawn, 5, 240)
            fee = self.fee("ethereum", "swap")
            self.transfer(swapped, "ethereum", address, router, amount - fee, "ETH", fee)
            usdt = swap(amount - fee)
            self.transfer(swapped, "ethereum", router, collector, usdt, "USDT", 0)
            total_usdt += usdt
            last = max(last, swapped)

        bridged_at = self.later(last, 30, 1_440)
        fee = self.fee("ethereum", "bridge")
        self.bridge_seq = self.transfer(
            bridged_at, "ethereum", collector, bridge, total_usdt, "USDT", fee
        )
        released = total_usdt - int(total_usdt * rng.uniform(0.0004, 0.001)) - 100
        tron_entry = self.address("tron", "scammer")
        released_at = self.later(bridged_at, 2, 25)
        self.transfer(released_at, "tron", release, tron_entry, released, "USDT", self.fee("tron"))
        self.deposit_events_left = hops
        self.peel_chain("tron", "USDT", tron_entry, released, released_at, hops, self.hard)
        return {
            "mixer": mixer,
            "router": router,
            "bridge": bridge,
            "release": release,
            "denomination": denomination,
            "mix_window": (first_deposit, max(withdrawals, default=deposited)),
            "bridge_amount": total_usdt,
            "bridge_time": bridged_at,
            "price": price,
        }

    # -- decoys ------------------------------------------------------------------------------

    def decoys(self, services: dict | None) -> None:
        rng = self.rng
        budget = self.params.noise + (self.params.noise // 2 if self.hard else 0)
        bitcoin = services is None
        home = "bitcoin" if bitcoin else "ethereum"
        home_asset = NATIVE_ASSET[home]
        window = (-2 * _DAY, self.flow_end + _DAY)

        # Exchange withdrawals that funded the victims' payments.
        for victim, paid, needed in self.victim_payments:
            if budget and rng.random() < 0.6:
                name = rng.choice(self.all_exchange_names)
                extra = int(needed * rng.uniform(0, 0.05))
                when = paid - rng.randint(3_600, 4 * _DAY)
                hot = self.hot_wallet(home, name)
                fee = self.fee(home)
                self.transfer(when, home, hot, victim, needed + extra, home_asset, fee)
                budget -= 1

        # Payments into the consolidation address after it was emptied: they lead nowhere.
        traps = 0 if self.intro else rng.randint(2, 4) if self.hard else rng.randint(1, 2)
        for _ in range(min(traps, budget)):
            when = self.later(self.consolidation_emptied, 60, 10 * 24 * 60)
            if bitcoin:
                amount = (
                    rng.randint(546, 20_000)
                    if rng.random() < 0.5
                    else rng.randint(10**6, 2 * 10**7)
                )
            else:
                amount = rng.randint(1_000, 300_000)
            source = self.address(home, "decoy", "", self.style(home))
            self.transfer(
                when, home, source, self.consolidation, amount, home_asset, self.fee(home)
            )
            budget -= 1

        if bitcoin:
            categories = {"btc_pay": 5, "btc_pay_change": 3, "hot_out": 3, "hot_in": 2}
        else:
            categories = {
                "eth_pay": 3,
                "hot_out": 2,
                "mixer_in": 3,
                "mixer_out": 3,
                "swap": 2,
                "bridge": 2 if self.hard else 1,
                "tron_pay": 3,
                "tron_hot_out": 2,
                "tron_hot_in": 1,
            }
        names, weights = list(categories), list(categories.values())
        two_transfer = {"btc_pay_change", "swap", "bridge"}
        while budget > 0:
            kind = rng.choices(names, weights)[0]
            if kind in two_transfer and budget < 2:
                continue
            budget -= 2 if kind in two_transfer else 1
            when = rng.randint(*window)
            if bitcoin:
                self.decoy_bitcoin(kind, when)
            else:
                self.decoy_account(kind, when, services)

    def decoy_amount_btc(self) -> int:
        rng = self.rng
        if self.hard and rng.random() < 0.4:
            return rng.choice((1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000))
        return rng.randint(100_000, 300_000_000)

    def decoy_bitcoin(self, kind: str, when: int) -> None:
        rng = self.rng
        fee = self.fee("bitcoin")
        amount = self.decoy_amount_btc()
        if kind == "btc_pay":
            source, target = self.decoy("bitcoin"), self.decoy("bitcoin")
            if source == target:
                target = self.address("bitcoin", "decoy", "", self.style("bitcoin"))
            self.transfer(when, "bitcoin", source, target, amount, "BTC", fee)
        elif kind == "btc_pay_change":
            source = self.decoy("bitcoin", fresh=0.2)
            target = self.address("bitcoin", "decoy", "", self.style("bitcoin"))
            change = self.address("bitcoin", "change", "", _bitcoin_style(source))
            self.transfer(when, "bitcoin", source, target, amount, "BTC", fee)
            change_amount = rng.randint(50_000, 150_000_000)
            self.transfer(
                when, "bitcoin", source, change, change_amount, "BTC", self.fee("bitcoin")
            )
        else:
            hot = self.hot_wallet("bitcoin", rng.choice(self.all_exchange_names))
            other = self.decoy("bitcoin")
            source, target = (hot, other) if kind == "hot_out" else (other, hot)
            self.transfer(when, "bitcoin", source, target, _round_sig(amount, 3), "BTC", fee)

    def decoy_account(self, kind: str, when: int, services: dict) -> None:
        rng = self.rng
        if kind in ("eth_pay", "hot_out"):
            amount = rng.randint(10_000, 8_000_000)
            target = self.decoy("ethereum")
            if kind == "hot_out":
                source = self.hot_wallet("ethereum", rng.choice(self.all_exchange_names))
                amount = _round_sig(amount, 3)
            else:
                source = self.decoy("ethereum")
                if source == target:
                    target = self.address("ethereum", "decoy")
            self.transfer(when, "ethereum", source, target, amount, "ETH", self.fee("ethereum"))
        elif kind in ("mixer_in", "mixer_out"):
            low, high = services["mix_window"]
            when = rng.randint(low - _DAY, high + _DAY)
            denomination = services["denomination"]
            if rng.random() < 0.3:
                denomination = rng.choice((100_000, 1_000_000, 10_000_000))
            if kind == "mixer_in":
                source = self.decoy("ethereum")
                fee = self.fee("ethereum", "mixer_in")
                self.transfer(when, "ethereum", source, services["mixer"], denomination, "ETH", fee)
            else:
                amount = denomination - int(denomination * rng.uniform(0.001, 0.004))
                target = self.address("ethereum", "decoy")
                fee = self.fee("ethereum", "mixer_out")
                self.transfer(when, "ethereum", services["mixer"], target, amount, "ETH", fee)
        elif kind == "swap":
            source = self.decoy("ethereum")
            amount = rng.randint(50_000, 6_000_000)
            fee = self.fee("ethereum", "swap")
            self.transfer(when, "ethereum", source, services["router"], amount, "ETH", fee)
            usdt = amount * services["price"] * 997 // 1_000_000_000
            target = source if rng.random() < 0.7 else self.decoy("ethereum")
            self.transfer(when, "ethereum", services["router"], target, usdt, "USDT", 0)
        elif kind == "bridge":
            if self.hard and rng.random() < 0.6:
                amount = int(services["bridge_amount"] * rng.uniform(0.7, 1.3))
                when = services["bridge_time"] + rng.randint(-12 * 3_600, 12 * 3_600)
            else:
                amount = _round_sig(rng.randint(50_000, 5_000_000), 2)
            source = self.decoy("ethereum")
            fee = self.fee("ethereum", "bridge")
            self.transfer(when, "ethereum", source, services["bridge"], amount, "USDT", fee)
            released = amount - int(amount * rng.uniform(0.0004, 0.001)) - 100
            target = self.decoy("tron")
            released_at = self.later(when, 2, 25)
            self.transfer(
                released_at, "tron", services["release"], target, released, "USDT", self.fee("tron")
            )
        else:
            amount = _round_sig(rng.randint(2_000, 3_000_000), 3)
            other = self.decoy("tron")
            if kind == "tron_pay":
                source = self.decoy("tron")
                target = other if other != source else self.address("tron", "decoy")
            else:
                hot = self.hot_wallet("tron", rng.choice(self.all_exchange_names))
                source, target = (hot, other) if kind == "tron_hot_out" else (other, hot)
            self.transfer(when, "tron", source, target, amount, "USDT", self.fee("tron"))

    # -- assembly ----------------------------------------------------------------------------

    def build(self) -> LabGraph:
        if self.params.scenario == "peel_chain":
            self.scenario_peel_chain()
            self.decoys(None)
        else:
            self.decoys(self.scenario_mixer_swap_bridge())
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
        return LabGraph(
            seed=seed,
            params=self.params,
            addresses=dict(self.addresses),
            transfers=transfers,
            start_address=self.collection,
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


# -- answer key and grading -----------------------------------------------------------------


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
    match = _EXCHANGE_LABEL.match(address.label)
    if match:
        return match["name"]
    for transfer in graph.outgoing(address_id):
        match = _EXCHANGE_LABEL.match(graph.addresses[transfer.target].label)
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
