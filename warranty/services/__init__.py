"""After-sales services: every write and rule of warranties, claims, returns, reviews and labels.

Split by topic, each module importing only those below it (no cycle): `warranties` (one per delivered
unit, replacements, the end of a refunded one), `labels` (labels, their PDF, carrier scans, sellers'
return addresses), `claims` (open, answer, accept or dispute, repair or replace, refund, escalate,
decide, close; the conversation and its photos; the rule of three), `returns` (open with a label,
receive, refund, cancel, the automatic refund) and `reviews` (write and edit, reply, report, moderate,
invitations). They call orders' services for money (`orders.services.refunds.refund_issue`, payout
holds) and catalog's for ratings; e-mails are queued after commit (`warranty/notifications.py`), the
scheduled sweeps are in `warranty/tasks.py`.
"""
