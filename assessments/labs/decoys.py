"""Decoys that make a lab graph realistic: unrelated payments, exchange withdrawals and
top-ups, other users of the mixer, swap router and bridge, and payments into the emptied
consolidation address that lead nowhere."""

from __future__ import annotations

from assessments.labs.graph import DAY, NATIVE_ASSET, round_sig


def _bitcoin_style(address_id: str) -> str:
    """The script type of a synthetic Bitcoin address (change usually keeps the input's type)."""
    if address_id.startswith("bc1p"):
        return "p2tr"
    return {"3": "p2sh", "1": "p2pkh"}.get(address_id[:1], "p2wpkh")


class Decoys:
    """The noise around the traced flow, mixed into build._Builder (which supplies rng,
    params and the primitives)."""

    def decoys(self, services: dict | None) -> None:
        rng = self.rng
        budget = self.params.noise + (self.params.noise // 2 if self.hard else 0)
        bitcoin = services is None
        home = "bitcoin" if bitcoin else "ethereum"
        home_asset = NATIVE_ASSET[home]
        window = (-2 * DAY, self.flow_end + DAY)

        # Exchange withdrawals that funded the victims' payments.
        for victim, paid, needed in self.victim_payments:
            if budget and rng.random() < 0.6:
                name = rng.choice(self.all_exchange_names)
                extra = int(needed * rng.uniform(0, 0.05))
                when = paid - rng.randint(3_600, 4 * DAY)
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
            self.transfer(when, "bitcoin", source, target, round_sig(amount, 3), "BTC", fee)

    def decoy_account(self, kind: str, when: int, services: dict) -> None:
        rng = self.rng
        if kind in ("eth_pay", "hot_out"):
            amount = rng.randint(10_000, 8_000_000)
            target = self.decoy("ethereum")
            if kind == "hot_out":
                source = self.hot_wallet("ethereum", rng.choice(self.all_exchange_names))
                amount = round_sig(amount, 3)
            else:
                source = self.decoy("ethereum")
                if source == target:
                    target = self.address("ethereum", "decoy")
            self.transfer(when, "ethereum", source, target, amount, "ETH", self.fee("ethereum"))
        elif kind in ("mixer_in", "mixer_out"):
            low, high = services["mix_window"]
            when = rng.randint(low - DAY, high + DAY)
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
                amount = round_sig(rng.randint(50_000, 5_000_000), 2)
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
            amount = round_sig(rng.randint(2_000, 3_000_000), 3)
            other = self.decoy("tron")
            if kind == "tron_pay":
                source = self.decoy("tron")
                target = other if other != source else self.address("tron", "decoy")
            else:
                hot = self.hot_wallet("tron", rng.choice(self.all_exchange_names))
                source, target = (hot, other) if kind == "tron_hot_out" else (other, hot)
            self.transfer(when, "tron", source, target, amount, "USDT", self.fee("tron"))
