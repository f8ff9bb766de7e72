"""Every write to the catalog, one module per concern:

- `listings`: a listing is born in exactly one place, `listing_create`; edits, the seller's status
  moves, and the platform's set-based moves of all of a seller's listings.
- `standing`: what the catalog knows of a seller (`SellerStanding`: may it sell, its score), written
  by the sellers app through `seller_standing_set`; the catalog never imports upward.
- `products`: product search documents, and bulk loads of listings (seed, benchmarks).

Services are keyword-only, take an `Actor`, own their transaction and raise `ApplicationError`
(with field errors) when a rule refuses the change. Status changes go through
`marketplace.transitions` (lock, table check, audit). Every write bumps the catalog cache
version on commit (`catalog.versioning.catalog_changed`).
"""
