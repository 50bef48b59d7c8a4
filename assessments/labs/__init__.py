"""Tracing labs: a seeded, synthetic transaction graph per attempt, followed hop by hop.

graph.py holds the data model, build.py generates a graph from a seed and parameters (the
traced flow in scenarios.py, the decoys in decoys.py), answers.py reads the answer key from
a graph and grading.py scores what an officer submits against it; svg.py draws a
neighbourhood of the graph. None of it needs Django.

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

``utxo_sweep`` (module 2, Bitcoin transactions with several inputs and outputs):
    The thief's wallet spends its reported address together with other addresses of the same
    wallet (common-input ownership), pays a roundish amount to an unlabelled exchange deposit
    address and keeps non-round change in a fresh address of the same script type, which it
    spends with more of its addresses next time. The exchanges sweep those deposit addresses,
    with other customers', into labelled hot wallets. One of the thief's coins also joins a
    CoinJoin (equal outputs, strangers' inputs) that must not be clustered. The tasks: the
    wallet's other addresses, the change output of a transaction named in the case file
    (``LabGraph.briefing``), and the unlabelled deposit addresses with the amounts sent.

``tron_energy`` (module 3, USDT-TRC20): see tron.py. ``commingling`` (module 9): see
commingle.py (LIBR).

The answer key is read from the generated graph itself (the address ``kind``, which the officer
never sees), so it follows the money actually generated: only deposits made by the traced flow
count, never decoys.
"""
