"""Trade-in services: every write and every rule of the trade-in loop.

- `quotes`: the quote (questionnaire, condition, price), its acceptance (payout, label), expiry sweeps;
- `grid`: the price grid's CSV import (all or nothing);
- `warehouse`: intake, inspection (blocklist, counter-offer), erasure;
- `counter_offers`: the owner's answer, and the 14-day silence;
- `payouts`: store credit, partner credit, bank transfers in SEPA files;
- `lots`: routing to refurbishers (lots, bids, the 48-hour close) or to recycling.
Below them: `common` (the one transition helper, labels' tracking numbers) and `payloads`.
"""
