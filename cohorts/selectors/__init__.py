"""Every non-trivial read of cohorts, one module per capability: cohorts (lists, seats,
rosters), schedule (trainers, nominations, seat groups), attendance, completion."""
