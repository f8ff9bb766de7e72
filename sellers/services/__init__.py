"""Every write about sellers, one module per concern:

- `applications`: a refurbisher applies (company data, documents, quality charter).
- `lifecycle`: the success managers' decisions and the day-40 job (status moves, audited, e-mailed,
  published as `seller.status_changed`), with their effect on the seller's listings and standing.
- `probation`: the probation cap (5 new listings a calendar day of the home market).
- `listings`: the sellers' door to listing creation (form, CSV import, API): the cap, then the catalog.
- `standing`: keeps the catalog's `SellerStanding` row in step with the seller's status.
- `team`: invitations and members.
Reads live in `sellers/selectors.py`; e-mails in `sellers/notifications.py`.
"""
