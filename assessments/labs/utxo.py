"""The utxo_sweep scenario (module 2, Bitcoin): a thief's wallet spends several of its
addresses together (common-input ownership), keeps change, and pays unlabelled exchange
deposit addresses that the exchanges later sweep into their labelled hot wallets. A CoinJoin
that one of the thief's coins joins is the trap: its other inputs are not the thief's."""

from __future__ import annotations

from assessments.labs.graph import COLLECTION_LABEL, DAY, round_sig


class UtxoSweep:
    """Mixed into build._Builder (which supplies rng, params and the primitives)."""

    def scenario_utxo_sweep(self) -> None:
        rng, params = self.rng, self.params
        spends = max(2, min(params.peel_hops, 40))
        collection = self.collection = self.address("bitcoin", "wallet", COLLECTION_LABEL, "p2wpkh")
        span = rng.randint(1, 6) * DAY
        carry: list[tuple[str, int]] = []
        for number in range(1, params.victims + 1):
            when = rng.randint(0, span)
            amount = round_sig(rng.randint(5_000_000, 150_000_000), 3)
            victim = self.address(
                "bitcoin",
                "victim",
                f"Victim {number} (reported)",
                self.style("bitcoin", (5, 2, 3, 1)),
            )
            fee = self.fee("bitcoin")
            self.transfer(when, "bitcoin", victim, collection, amount, "BTC", fee)
            self.victim_payments.append((victim, when, amount + fee))
            carry.append((collection, amount))

        deposit_weights = (4, 4, 2, 0) if self.hard else (0, 7, 3, 0)
        deposit_utxos: dict[str, list[tuple[int, int]]] = {}
        deposit_exchange: dict[str, str] = {}
        by_exchange: dict[str, list[str]] = {}
        coinjoin_at = None if self.intro else rng.randrange(spends)
        candidates: list[tuple[bool, int]] = []
        now = span
        for index in range(spends):
            now = self.later(now, 30, 720)
            inputs = list(carry)
            extra = 1 if not self.hard or rng.random() < 0.5 else 2
            for number in range(extra):
                address, amount = self._utxo_receive(rng.randint(now - 3 * DAY, now - 600))
                inputs.append((address, amount))
                if index == coinjoin_at and number == 0:
                    self._utxo_coinjoin(address, self.later(now, 60, 2 * 24 * 60))
            total = sum(amount for _, amount in inputs)
            fee = self.fee("bitcoin") * len(inputs)
            name = (
                self.exchange_queue.pop()
                if self.exchange_queue
                else rng.choice(self.exchange_names)
            )
            pool = by_exchange.setdefault(name, [])
            if pool and rng.random() < (0.4 if self.hard else 0.25):
                target = rng.choice(pool)
            else:
                target = self.address(
                    "bitcoin", "exchange_deposit", "", self.style("bitcoin", deposit_weights)
                )
                pool.append(target)
                deposit_exchange[target] = name
            if index == spends - 1:
                outputs = [(target, total - fee)]
                payment = total - fee
            else:
                payment = round_sig(int((total - fee) * rng.uniform(0.2, 0.6)), 2)
                change = total - fee - payment
                trap = self.hard and index > 0 and rng.random() < 0.4
                if trap:
                    # Round-number trap: the change is round, the exchange payment is not.
                    round_change = round_sig(change, 2)
                    if 0 < round_change < total - fee - 10_000:
                        change, payment = round_change, total - fee - round_change
                change_address = self.address("bitcoin", "wallet", "", "p2wpkh")
                outputs = [(target, payment), (change_address, change)]
                rng.shuffle(outputs)
                carry = [(change_address, change)]
            seq = self.utxo_tx(now, inputs, outputs)
            deposit_utxos.setdefault(target, []).append((payment, now))
            if index < spends - 1:
                candidates.append((trap, seq))
        traps = [seq for trap, seq in candidates if trap]
        self.briefing_seq["change_tx"] = rng.choice(traps or [seq for _, seq in candidates])

        # Each exchange sweeps its deposit addresses, with other customers', into its hot wallet.
        for target, utxos in deposit_utxos.items():
            swept = self.later(max(t for _, t in utxos), 20, 600)
            inputs = [(target, amount) for amount, _ in utxos]
            name = deposit_exchange[target]
            for _ in range(rng.randint(2, 5) if self.hard else rng.randint(1, 3)):
                customer = self.address(
                    "bitcoin", "exchange_deposit", "", self.style("bitcoin", deposit_weights)
                )
                amount = round_sig(rng.randint(200_000, 80_000_000), 3)
                paid = swept - rng.randint(600, DAY)
                self.transfer(
                    paid,
                    "bitcoin",
                    self.decoy("bitcoin"),
                    customer,
                    amount,
                    "BTC",
                    self.fee("bitcoin"),
                )
                inputs.append((customer, amount))
            rng.shuffle(inputs)
            total = sum(amount for _, amount in inputs)
            fee = self.fee("bitcoin") * len(inputs)
            self.utxo_tx(swept, inputs, [(self.hot_wallet("bitcoin", name), total - fee)])
            self.flow_end = max(self.flow_end, swept)
        self._utxo_decoys()

    def _utxo_receive(self, when: int) -> tuple[str, int]:
        """A fresh receiving address of the thief's wallet, paid by an unreported victim."""
        rng = self.rng
        address = self.address("bitcoin", "wallet", "", "p2wpkh")
        payer = self.address("bitcoin", "decoy", "", self.style("bitcoin", (5, 2, 3, 1)))
        amount = round_sig(rng.randint(3_000_000, 80_000_000), 3)
        self.transfer(when, "bitcoin", payer, address, amount, "BTC", self.fee("bitcoin"))
        return address, amount

    def _utxo_coinjoin(self, thief: str, when: int) -> None:
        """A second coin of a thief address joins a CoinJoin: equal outputs, many inputs, and
        inputs that belong to strangers, so common-input ownership does not hold."""
        rng = self.rng
        denomination = rng.choice((5_000_000, 10_000_000, 20_000_000))
        held = denomination + rng.randint(100_000, 3_000_000)
        payer = self.address("bitcoin", "decoy", "", self.style("bitcoin"))
        self.transfer(
            when - rng.randint(3_600, 2 * DAY),
            "bitcoin",
            payer,
            thief,
            held,
            "BTC",
            self.fee("bitcoin"),
        )
        inputs = [(thief, held)]
        for _ in range(rng.randint(8, 12) if self.hard else rng.randint(4, 6)):
            stranger = self.address("bitcoin", "decoy", "", self.style("bitcoin", (8, 0, 0, 2)))
            amount = denomination + rng.randint(50_000, 5_000_000)
            self.transfer(
                when - rng.randint(600, 3 * DAY),
                "bitcoin",
                self.decoy("bitcoin"),
                stranger,
                amount,
                "BTC",
                self.fee("bitcoin"),
            )
            inputs.append((stranger, amount))
        rng.shuffle(inputs)
        outputs = []
        for address, amount in inputs:
            kind = "coinjoin" if address == thief else "decoy"
            outputs.append((self.address("bitcoin", kind, "", "p2wpkh"), denomination))
            change = amount - denomination - rng.randint(300, 1_500)
            outputs.append((self.address("bitcoin", kind, "", "p2wpkh"), change))
        rng.shuffle(outputs)
        self.utxo_tx(when, inputs, outputs)

    def _utxo_decoys(self) -> None:
        rng = self.rng
        budget = self.params.noise + (self.params.noise // 2 if self.hard else 0)
        budget = self.exchanges_fund_victims("bitcoin", "BTC", budget, extra_share=0.05)
        categories = {"btc_pay": 4, "btc_pay_change": 3, "hot_out": 3, "hot_in": 2, "multi": 2}
        names, weights = list(categories), list(categories.values())
        window = (-2 * DAY, self.flow_end + DAY)
        while budget > 0:
            kind = rng.choices(names, weights)[0]
            cost = {"btc_pay_change": 2, "multi": 6}.get(kind, 1)
            if cost > budget:
                kind, cost = "btc_pay", 1
            budget -= cost
            when = rng.randint(*window)
            if kind == "multi":
                self._utxo_decoy_wallet(when)
            else:
                self.decoy_bitcoin(kind, when)

    def _utxo_decoy_wallet(self, when: int) -> None:
        """Another wallet co-spending two of its coins: payment plus change, like the thief's."""
        rng = self.rng
        inputs = []
        for _ in range(2):
            address = self.address("bitcoin", "decoy", "", "p2wpkh")
            amount = self.decoy_amount_btc()
            self.transfer(
                when - rng.randint(600, 5 * DAY),
                "bitcoin",
                self.decoy("bitcoin"),
                address,
                amount,
                "BTC",
                self.fee("bitcoin"),
            )
            inputs.append((address, amount))
        total = sum(amount for _, amount in inputs)
        fee = self.fee("bitcoin") * 2
        payment = round_sig(int((total - fee) * rng.uniform(0.2, 0.7)), 2)
        outputs = [
            (self.address("bitcoin", "decoy", "", self.style("bitcoin")), payment),
            (self.address("bitcoin", "change", "", "p2wpkh"), total - fee - payment),
        ]
        rng.shuffle(outputs)
        self.utxo_tx(when, inputs, outputs)
