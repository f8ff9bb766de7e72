"""What choosing refurbished avoids, and how Encore counts it (DOMAIN.md, Impact and reporting).

**One convention, everywhere** (product pages, orders, the device wallet, trade-in reports, the
dashboards): figures are **per device**, refurbished or reused instead of bought new.

- CO2e avoided: the emissions of making a new device that the refurbished one replaces, counted for
  **one year of use** (the basis of the ADEME study cited for smartphones and laptops). Encore never
  assumes a longer second life, so its totals are a floor, not a boast.
- E-waste avoided: the mass of the device kept in use instead of thrown away.

Each category's figures and their source are data (`catalog.Category`, set by migration): a figure is
either cited to a document (title, publisher, year, with its address) or labelled "Estimate:" with
its method. The public page `/impact/` lists them all. Avoided emissions are reported apart from any
company's own inventory (GHG Protocol, Scope 3 Standard): see `tradein`'s batch report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from catalog.models import Category

CONVENTION = _(
    "Figures are per device, refurbished or reused instead of bought new. CO2e avoided counts the "
    "emissions of making a new device, for one year of use (never more, so totals are a floor). E-waste "
    "avoided is the mass of the device kept in use."
)
ESTIMATE_PREFIX = "Estimate:"
GHG_PROTOCOL = "Corporate Value Chain (Scope 3) Accounting and Reporting Standard, GHG Protocol (WRI and WBCSD), 2011"


@dataclass(frozen=True)
class Impact:
    co2e_grams: int
    ewaste_grams: int

    def __add__(self, other: Impact) -> Impact:
        return Impact(self.co2e_grams + other.co2e_grams, self.ewaste_grams + other.ewaste_grams)


ZERO = Impact(0, 0)


def root_categories() -> dict[int, Category]:
    """Every category id -> its top-level category (the figures are the top level's). One query."""
    categories = {c.pk: c for c in Category.objects.all()}
    roots: dict[int, Category] = {}
    for pk, category in categories.items():
        node, seen = category, 0
        while node.parent_id is not None and node.parent_id in categories and seen < 10:
            node, seen = categories[node.parent_id], seen + 1
        roots[pk] = node
    return roots


def top_level(category: Category | None) -> Category | None:
    """The top-level category whose figures `category` counts with (itself when it is one)."""
    node, seen = category, 0
    while node is not None and node.parent_id is not None and seen < 10:
        node, seen = node.parent, seen + 1
    return node


def impact_of(devices_by_category: Mapping[int | None, int], roots: Mapping[int, Category] | None = None) -> Impact:
    """What `devices_by_category` (category id -> number of devices) avoid, by their top-level figures."""
    roots = roots if roots is not None else root_categories()
    total = ZERO
    for category_id, count in devices_by_category.items():
        root = roots.get(category_id or 0)
        if root is not None and count:
            total += Impact(root.co2e_avoided_grams * count, root.ewaste_avoided_grams * count)
    return total


def is_estimate(source: str) -> bool:
    return source.strip().startswith(ESTIMATE_PREFIX)


def sources(categories: Iterable[Category]) -> list[dict[str, object]]:
    """Each category's figures with their sources, for the public page and the reports."""
    return [
        {
            "category": category,
            "co2e_grams": category.co2e_avoided_grams,
            "ewaste_grams": category.ewaste_avoided_grams,
            "co2e_source": category.co2e_source,
            "co2e_source_url": category.co2e_source_url,
            "co2e_is_estimate": is_estimate(category.co2e_source),
            "ewaste_source": category.ewaste_source,
            "ewaste_is_estimate": is_estimate(category.ewaste_source),
        }
        for category in categories
    ]
