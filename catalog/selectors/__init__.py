"""Every catalog read with a rule, one module per concern:

- `reference`: markets, grades, the category tree (cached per catalog version).
- `buy_box`: the featured offer of a variant, grade and market (one documented pure function),
  sellers' scores from the catalog's `SellerStanding`, and the price to win.
- `search`: a shopper's query parsed (typos forgiven, storage sizes recognised) and matched.
- `browse`: category and search pages: filters, facet counts, sorts, pagination.
- `product_page`: everything the product page shows.
- `home`: the home page's sections.
Visibility everywhere: the storefront and the catalog API only show listings that are `active`
with `stock > 0` (`Listing.objects.visible()`).
"""
