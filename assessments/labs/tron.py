"""The tron_energy scenario (module 3, USDT-TRC20 on Tron): a laundering trail where some hops
get a TRX top-up from the launderer's shared funder and others move USDT on energy rented from
a service that serves many unrelated addresses. "No TRX top-up" does not mean "not linked", and
sharing the rental service is no link. The trail ends at exchange deposit addresses and an OTC
desk."""

from __future__ import annotations

from assessments.labs.graph import (
    COLLECTION_LABEL,
    DAY,
    OTC_NAMES,
    RENTAL_LABEL,
    round_sig,
)

TRAIL_KINDS = frozenset({"scammer", "consolidation", "peel"})


class TronEnergy:
    """Mixed into build._Builder (which supplies rng, params and the primitives)."""

    def scenario_tron_energy(self) -> None:
        rng, params = self.rng, self.params
        hops = max(2, min(params.peel_hops, 60))
        collection = self.collection = self.address("tron", "scammer", COLLECTION_LABEL)
        consolidation = self.consolidation = self.address("tron", "consolidation")
        total, last = self.victims_pay("tron", "USDT", 500_000, 8_000_000, rng.randint(1, 8) * DAY)
        if total < hops * 5_000:
            extra = self.address("tron", "victim", f"Victim {params.victims + 1} (reported)")
            self.transfer(last, "tron", extra, collection, hops * 5_000, "USDT", self.fee("tron"))
            total += hops * 5_000
        moved = self.later(last, 20, 600)
        self.transfer(moved, "tron", collection, consolidation, total, "USDT", self.fee("tron"))

        otc = rng.choice(OTC_NAMES)
        self.otc_names = {otc}
        self.exchange_names = [*self.exchange_names, otc]
        self.exchange_queue.append(otc)
        rng.shuffle(self.exchange_queue)
        self.deposit_events_left = hops
        self.peel_chain("tron", "USDT", consolidation, total, moved, hops, self.hard)
        self._tron_resources()
        self._tron_decoys()

    def _tron_resources(self) -> None:
        """Before each trail address first sends USDT it gets TRX from the launderer's funder
        or energy from the rental service (then it pays no TRX fee)."""
        rng = self.rng
        kinds = self.addresses
        first_out: dict[str, int] = {}
        for row in self.raw:
            t, _seq, _chain, source, _target, _amount, asset, _fee = row
            if asset == "USDT" and kinds[source].kind in TRAIL_KINDS:
                first_out[source] = min(first_out.get(source, t), t)
        ordered = sorted(first_out, key=lambda a: (first_out[a], a))
        share = 0.3 if self.intro else 0.7 if self.hard else 0.5
        rented = {a for a in ordered if rng.random() < share}
        if len(ordered) >= 2:
            rented.add(ordered[-1 - rng.randrange(len(ordered) - 1)])  # at least one rents
            rented.discard(ordered[0])  # and the first is topped up by the funder
        self.rental = self.address("tron", "rental", RENTAL_LABEL)
        funder = self.address("tron", "funder")
        fees: dict[str, int] = {}
        for position, row in enumerate(self.raw):
            source = row[3]
            if source in first_out and row[6] == "USDT":
                if source in rented:
                    self.raw[position] = (*row[:7], 0)
                else:
                    fees[source] = fees.get(source, 0) + row[7]
        funded = 0
        for address in ordered:
            at = first_out[address]
            if address in rented:
                when = at - rng.randint(1, 40) * 60
                self.delegate(when, self.rental, address, rng.choice((65_000, 131_000)), 1)
            else:
                amount = (fees[address] // 5_000_000 + 1) * 5_000_000 + rng.randint(
                    0, 4
                ) * 1_000_000
                when = at - rng.randint(3, 90) * 60
                self.transfer(
                    when, "tron", funder, address, amount, "TRX", rng.randint(0, 1_100_000)
                )
                funded += amount + 1_100_000
        hot = self.hot_wallet("tron", rng.choice(self.all_exchange_names))
        start = min(first_out.values()) - rng.randint(2, 24) * 3_600
        self.transfer(start, "tron", hot, funder, round_sig(funded * 2, 2), "TRX", 1_100_000)

    def _tron_decoys(self) -> None:
        rng = self.rng
        budget = self.params.noise + (self.params.noise // 2 if self.hard else 0)
        window = (-2 * DAY, max(self.flow_end, 1) + DAY)
        budget = self.exchanges_fund_victims("tron", "USDT", budget)
        # The rental service lends energy to many unrelated addresses, which move USDT too.
        customers = max(4, budget // 3)
        for _ in range(customers):
            customer = self.decoy("tron", fresh=0.7)
            when = rng.randint(*window)
            self.delegate(
                when, self.rental, customer, rng.choice((65_000, 131_000)), rng.choice((1, 3))
            )
            if budget > 0:
                amount = round_sig(rng.randint(2_000, 3_000_000), 3)
                other = self.decoy("tron")
                if other != customer:
                    self.transfer(
                        self.later(when, 1, 30), "tron", customer, other, amount, "USDT", 0
                    )
                    budget -= 1
        # Dust from strangers into trail addresses ("address poisoning"): it is not the trail.
        trail = [a.id for a in self.addresses.values() if a.kind == "peel"]
        if trail and not self.intro:
            for _ in range(rng.randint(2, 4) if self.hard else 1):
                when = rng.randint(*window)
                stranger = self.address("tron", "decoy")
                dust = rng.randint(1, 100)
                self.transfer(when, "tron", stranger, rng.choice(trail), dust, "USDT", 0)
        if self.hard:
            # Another funder tops up unrelated addresses with similar TRX amounts.
            other_funder = self.address("tron", "decoy")
            for _ in range(rng.randint(3, 6)):
                self.transfer(
                    rng.randint(*window),
                    "tron",
                    other_funder,
                    self.decoy("tron"),
                    rng.randint(10, 60) * 1_000_000,
                    "TRX",
                    rng.randint(0, 1_100_000),
                )
        kinds = {"tron_pay": 3, "tron_hot_out": 2, "tron_hot_in": 1}
        names, weights = list(kinds), list(kinds.values())
        while budget > 0:
            budget -= 1
            self.decoy_account(rng.choices(names, weights)[0], rng.randint(*window), {})
