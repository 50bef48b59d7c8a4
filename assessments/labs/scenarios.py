"""The traced flow of each scenario: the victims' payments, the consolidation address, the
peel chains and (for mixer_swap_bridge) the mixer, swap router and bridge, down to the
exchange deposits. See the package docstring for the story each scenario tells."""

from __future__ import annotations

from itertools import pairwise

from assessments.labs.graph import (
    BRIDGE_LABEL,
    BRIDGE_RELEASE_LABEL,
    COLLECTION_LABEL,
    DAY,
    MIXER_LABEL,
    NATIVE_ASSET,
    SWAP_LABEL,
    round_sig,
)


class TracedFlow:
    """The money trail, mixed into build._Builder (which supplies rng, params and the
    primitives: address, transfer, fee, later, style, hot_wallet)."""

    def front(self, chain: str, asset: str, minimum_total: int) -> tuple[str, int, int]:
        """Victims -> collection -> consolidation. Returns (consolidation, balance, time)."""
        rng, params = self.rng, self.params
        collection = self.collection = self.address(chain, "scammer", COLLECTION_LABEL)
        self.consolidation = self.address(chain, "consolidation")
        low, high = (5_000_000, 250_000_000) if asset == "BTC" else (500_000, 15_000_000)
        amounts = [round_sig(rng.randint(low, high), 3) for _ in range(params.victims)]
        if sum(amounts) < minimum_total:
            factor = -(-minimum_total // sum(amounts))
            amounts = [amount * factor for amount in amounts]
        span = rng.randint(1, 10) * DAY
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
        if name in self.otc_names:
            # An OTC desk's address is its own: the desk pays out in cash, nothing is swept.
            if name not in self.deposits:
                self.deposits[name] = [self.address(chain, "otc", f"OTC: {name}")]
            self.transfer(t, chain, source, self.deposits[name][0], amount, asset, fee)
            self.flow_end = max(self.flow_end, t)
            return
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
            peel = round_sig(max(minimum, int(spend * share)), 3)
            following = spend - peel
            if self.hard and hop > 1 and rng.random() < 0.3:
                # Round-number trap: the change is round, the exchange payment is not.
                round_change = round_sig(following, 2)
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
        parts = [round_sig(int(spend * rng.uniform(0.25, 0.4)), 2) for _ in range(branches - 1)]
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
            rng.randint(first_deposit + 2 * 3_600, deposited + 3 * DAY) for _ in range(count)
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
