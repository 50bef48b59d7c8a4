"""The commingling scenario (module 9, USDT on Tron): stolen funds enter an account that also
holds clean funds, followed by withdrawals and more clean deposits. How much of the stolen
money is still traceable is worked out with the lowest intermediate balance rule (LIBR): the
stolen balance never exceeds the account's lowest balance since the theft, and clean deposits
do not replenish it. libr_walk() is that rule, in Decimal arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from assessments.labs.graph import COLLECTION_LABEL, DAY, EXCHANGE_NAMES, round_sig


def libr_walk(events: Iterable[tuple[str, Decimal]]) -> tuple[Decimal, list[Decimal]]:
    """Apply LIBR to an account's events in time order: ("stolen" | "clean" | "out", amount).
    Returns the stolen amount remaining at the end and, for each "out", the stolen amount
    traced into it (the owner is presumed to spend clean money first)."""
    balance = taint = Decimal(0)
    traced: list[Decimal] = []
    for kind, amount in events:
        if kind == "out":
            balance -= amount
            remaining = max(Decimal(0), min(taint, balance))
            traced.append(taint - remaining)
            taint = remaining
        else:
            balance += amount
            if kind == "stolen":
                taint += amount
    return taint, traced


class Commingling:
    """Mixed into build._Builder (which supplies rng, params and the primitives)."""

    def scenario_commingling(self) -> None:
        rng, params = self.rng, self.params
        collection = self.collection = self.address("tron", "scammer", COLLECTION_LABEL)
        account = self.address("tron", "commingled")
        stolen, last = self.victims_pay("tron", "USDT", 200_000, 5_000_000, rng.randint(1, 6) * DAY)

        balance = taint = 0
        now = last - rng.randint(2, 8) * DAY

        def clean_in(amount: int) -> None:
            nonlocal balance, now
            now = self.later(now, 30, 2_880)
            if rng.random() < 0.5:
                source = self.hot_wallet("tron", rng.choice(self.all_exchange_names))
            else:
                source = self.address("tron", "clean")
            self.transfer(now, "tron", source, account, amount, "USDT", self.fee("tron"))
            balance += amount

        def out(amount: int) -> int:
            nonlocal balance, taint, now
            now = self.later(now, 30, 2_880)
            if rng.random() < 0.5:
                name = rng.choice(EXCHANGE_NAMES)
                target = self.address("tron", "exchange_deposit", f"Exchange: {name} (deposit)")
            else:
                target = self.address("tron", "decoy")
            seq = self.transfer(now, "tron", account, target, amount, "USDT", self.fee("tron"))
            balance -= amount
            taint = min(taint, balance)
            return seq

        for _ in range(rng.randint(2, 3) if self.hard else rng.randint(1, 2)):
            clean_in(rng.randint(100_000, 3_000_000))
        if rng.random() < 0.5:
            out(int(balance * rng.uniform(0.1, 0.4)))

        # The stolen funds arrive: directly, or (hard) in two parts through an extra hop.
        parts = [stolen]
        source = collection
        if self.hard:
            hop = self.address("tron", "peel")
            now = max(now, last) + rng.randint(600, 6 * 3_600)
            self.transfer(now, "tron", collection, hop, stolen, "USDT", self.fee("tron"))
            first = round_sig(int(stolen * rng.uniform(0.4, 0.7)), 2)
            parts, source = [first, stolen - first], hop
        rounds = max(3, min(params.peel_hops, 12)) + (4 if self.hard else 0)
        arrivals = sorted(rng.sample(range(rounds), len(parts) - 1)) if len(parts) > 1 else []
        named = None
        trap_at = rng.randrange(rounds) if self.hard else None
        for number, part in enumerate(parts):
            now = max(self.later(now, 30, 600), last + 600)
            self.transfer(now, "tron", source, account, part, "USDT", self.fee("tron"))
            balance += part
            taint += part
            stop = arrivals[number] if number < len(arrivals) else rounds
            start = arrivals[number - 1] if number else 0
            for index in range(start, stop):
                if index == trap_at:
                    # Round-number trap: a withdrawal of exactly the stolen amount, made when
                    # the clean funds cover it, so LIBR traces none of the stolen money into it.
                    clean_in(stolen + rng.randint(10_000, 500_000))
                    out(stolen)
                elif named is None and taint > 0 and (index >= stop - 1 or rng.random() < 0.4):
                    # A withdrawal that takes the balance below the stolen amount.
                    keep = int(taint * rng.uniform(0.3, 0.8))
                    named = out(balance - keep)
                elif rng.random() < 0.55 and balance > 10_000:
                    amount = int(balance * rng.uniform(0.15, 0.85))
                    if rng.random() < 0.3:
                        amount = max(100, round_sig(amount, 2))
                    out(amount)
                else:
                    clean_in(rng.randint(50_000, 4_000_000))
        if named is None:  # pragma: no cover - the loop always makes one
            named = out(balance - max(1, taint // 2))
        self.briefing_seq["withdrawal_tx"] = named
        self.flow_end = now
        self._commingling_decoys()

    def _commingling_decoys(self) -> None:
        rng = self.rng
        budget = self.params.noise + (self.params.noise // 2 if self.hard else 0)
        budget = self.exchanges_fund_victims("tron", "USDT", budget)
        window = (-2 * DAY, self.flow_end + DAY)
        kinds = {"tron_pay": 3, "tron_hot_out": 2, "tron_hot_in": 1}
        names, weights = list(kinds), list(kinds.values())
        while budget > 0:
            budget -= 1
            self.decoy_account(rng.choices(names, weights)[0], rng.randint(*window), {})
