"""The trade-in price grid's CSV import, by platform staff: all rows or none.

Columns (header row first): `product` (the model's slug), `storage_gb` (empty for models without
storage), `condition` (like_new, good, fair, broken), `market` (fr, de, ...), `price` (in the market's
currency, major units: `120.00`, `15000` for yen). An existing (product, storage, condition, market)
row is updated. Every row is checked first; any error and nothing is saved, each error naming
`row N.column` as in the file (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from catalog.models import Product, Variant
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market
from marketplace.money import Money
from marketplace.transitions import audit_record
from tradein.models import PriceGridRow
from tradein.states import Condition

COLUMNS = ("product", "storage_gb", "condition", "market", "price")
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class GridImportResult:
    created: int
    updated: int


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ApplicationError(ErrorCode.VALIDATION, "The file is larger than 5 MB.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(ErrorCode.VALIDATION, "The file is not UTF-8 text.") from None


def price_grid_import(*, content: bytes, actor: Actor) -> GridImportResult:
    """Validate every row, then write them all in one transaction (or raise VALIDATION with every error)."""
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"Missing columns: {', '.join(missing)}.",
            errors=[{"field": f"row 1.{name}", "message": "Missing column."} for name in missing],
        )
    rows = list(reader)
    if not rows:
        raise ApplicationError(ErrorCode.VALIDATION, "The file has no rows.")
    if len(rows) > MAX_ROWS:
        raise ApplicationError(ErrorCode.VALIDATION, f"At most {MAX_ROWS} rows.")
    products = {p.slug: p for p in Product.objects.filter(slug__in={(r.get("product") or "").strip() for r in rows})}
    storages = set(Variant.objects.filter(product__in=products.values()).values_list("product_id", "storage_gb"))
    markets = {m.code: m for m in Market.objects.all()}
    errors: list[dict[str, str]] = []
    parsed: dict[tuple[int, int | None, str, str], tuple[Product, int | None, str, Market, Money]] = {}
    for index, raw in enumerate(rows, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        product = products.get(row.get("product", ""))
        if product is None:
            errors.append(
                {"field": f"row {index}.product", "message": f"No product with the slug {row.get('product')!r}."}
            )
        storage: int | None = None
        if row.get("storage_gb"):
            try:
                storage = int(row["storage_gb"])
            except ValueError:
                errors.append({"field": f"row {index}.storage_gb", "message": "A whole number of GB, or empty."})
        if product is not None and (product.pk, storage) not in storages:
            errors.append(
                {"field": f"row {index}.storage_gb", "message": f"{product.name} has no {storage} GB variant."}
            )
        condition = row.get("condition", "")
        if condition not in Condition.values:
            errors.append({"field": f"row {index}.condition", "message": f"One of {', '.join(Condition.values)}."})
        market = markets.get(row.get("market", "").lower())
        if market is None:
            errors.append({"field": f"row {index}.market", "message": "An Encore market code (fr, de, gb...)."})
        price: Money | None = None
        if market is not None:
            try:
                price = Money.from_decimal(Decimal(row.get("price", "").replace(",", ".")), market.currency)
                if price.amount < 0:
                    raise ValueError
            except (InvalidOperation, ValueError):
                errors.append(
                    {"field": f"row {index}.price", "message": f"A price of zero or more in {market.currency}."}
                )
        if product is not None and market is not None and price is not None and condition in Condition.values:
            key = (product.pk, storage, condition, market.code)
            if key in parsed:
                errors.append({"field": f"row {index}.product", "message": "The same price is given twice."})
            parsed[key] = (product, storage, condition, market, price)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, f"{len(errors)} error(s): nothing was imported.", errors=errors)
    created = updated = 0
    now = timezone.now()
    with transaction.atomic():
        for product, storage, condition, market, price in parsed.values():
            _row, was_created = PriceGridRow.objects.update_or_create(
                product=product,
                storage_gb=storage,
                condition=condition,
                market=market,
                defaults={"price_amount": price.amount, "currency": price.currency, "updated_at": now},
            )
            created += was_created
            updated += not was_created
        if actor.user is not None:
            audit_record(
                obj=actor.user,
                actor=actor,
                from_status="",
                to_status="",
                reason=f"price grid import: {created} new, {updated} updated",
            )
    return GridImportResult(created=created, updated=updated)


def price_grid_csv() -> str:
    """The whole grid as CSV, in the import's format (export, and the template to edit)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in PriceGridRow.objects.select_related("product").order_by(
        "product__slug", "storage_gb", "market", "condition"
    ):
        writer.writerow([row.product.slug, row.storage_gb or "", row.condition, row.market_id, row.price.decimal])
    return buffer.getvalue()
