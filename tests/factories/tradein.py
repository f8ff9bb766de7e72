"""Trade-in factories: quotes and their moves go through the services (the one place trade-ins are born)."""

from __future__ import annotations

from typing import Any

from catalog.models import Product, Variant
from marketplace.actors import Actor
from marketplace.models import Market, Organisation, User
from tests.factories.catalog import VariantFactory
from tests.factories.orders import imei
from tradein.models import PriceGridRow, TradeIn
from tradein.services.quotes import Contact, PayoutChoice, tradein_quote_accept, tradein_quote_create
from tradein.services.warehouse import InspectionInput, tradein_erasure_record, tradein_inspect, tradein_receive

SYSTEM = Actor.system("tests")
LIKE_NEW = {
    "powers_on": "yes",
    "screen": "flawless",
    "body": "flawless",
    "functions": "all_working",
    "battery": "healthy",
    "accounts_signed_out": "yes",
}
GOOD = {**LIKE_NEW, "screen": "light_scratches"}
FAIR = {**LIKE_NEW, "screen": "deep_scratches"}
BROKEN = {**LIKE_NEW, "screen": "cracked"}
PRICES = {"like_new": 30000, "good": 25000, "fair": 18000, "broken": 5000}
IBAN_FR = "FR1420041010050500013M02606"


def grid(variant: Variant, market: str = "fr", prices: dict[str, int] | None = None) -> None:
    market_obj = Market.objects.get(code=market)
    for condition, amount in (prices or PRICES).items():
        PriceGridRow.objects.update_or_create(
            product=variant.product,
            storage_gb=variant.storage_gb,
            condition=condition,
            market=market_obj,
            defaults={"price_amount": amount, "currency": market_obj.currency},
        )


def priced_variant(market: str = "fr", **kwargs: Any) -> Variant:
    variant = VariantFactory(**kwargs)
    grid(variant, market)
    return variant


def contact(market: str = "fr", **overrides: Any) -> Contact:
    values = {
        "full_name": "Chloé Seller",
        "email": "chloe@example.test",
        "address_line": "3 rue de la Paix",
        "postal_code": "75002",
        "city": "Paris",
        "country": market,
    }
    values.update(overrides)
    return Contact(**values)


def quote(
    *,
    variant: Variant | None = None,
    market: str = "fr",
    answers: dict[str, str] | None = None,
    partner: Organisation | None = None,
) -> TradeIn:
    variant = variant or priced_variant(market)
    product: Product = variant.product
    return tradein_quote_create(
        actor=SYSTEM,
        product=product,
        variant_id=variant.pk,
        market=Market.objects.get(code=market),
        answers=answers or LIKE_NEW,
        partner=partner,
    )


def accepted(
    *,
    owner: User | None = None,
    partner: Organisation | None = None,
    method: str = "store_credit",
    iban: str = "",
    **kwargs: Any,
) -> TradeIn:
    tradein = quote(partner=partner, **kwargs)
    return tradein_quote_accept(
        tradein=tradein,
        actor=SYSTEM,
        contact=contact(tradein.market_id),
        payout=PayoutChoice(method=method, iban=iban),
        owner=owner,
        partner=partner,
    )


def received(**kwargs: Any) -> TradeIn:
    return tradein_receive(tradein=accepted(**kwargs), actor=SYSTEM)


def inspected(
    *, actual: dict[str, str] | None = None, identifier: str | None = None, n: int = 1, **kwargs: Any
) -> TradeIn:
    tradein = received(**kwargs)
    return tradein_inspect(
        tradein=tradein,
        actor=SYSTEM,
        data=InspectionInput(
            answers=actual or tradein.answers,
            identifier=identifier or imei(900 + n),
            activation_lock=False,
            battery_health=91,
        ),
    )


def wiped(tradein: TradeIn, operator: User | None = None) -> TradeIn:
    actor = Actor.for_user(operator) if operator else SYSTEM
    tradein_erasure_record(tradein=tradein, actor=actor, method="purge", tool="Blancco Mobile 6", result="passed")
    return TradeIn.objects.get(pk=tradein.pk)


# --- business batches ----------------------------------------------------------------------------------
def business(name: str = "Acme Telecom", country: str = "fr") -> Organisation:
    """A partner organisation with its trade-in business details (the sender of its parcels)."""
    from tests.factories import OrganisationFactory
    from tradein.services.batches import business_profile_set

    partner = OrganisationFactory(kind="partner", name=name, country=country)
    business_profile_set(
        partner=partner,
        actor=SYSTEM,
        values={
            "company_name": name,
            "contact_name": "Bea Buyer",
            "email": "it@acme.example.test",
            "address_line": "1 quai de la Gare",
            "postal_code": "75013",
            "city": "Paris",
        },
    )
    return partner


def batch_csv(variant: Variant, count: int, *, condition: str = "like_new", first: int = 5000) -> bytes:
    lines = ["product,variant,identifier,condition"]
    lines += [f"{variant.product.slug},{variant.pk},{imei(first + n)},{condition}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def batch_quoted(partner: Organisation, variant: Variant, count: int = 3, **kwargs: Any) -> Any:
    from tradein.batch_files import parse_csv
    from tradein.services.batches import batch_quote_create

    return batch_quote_create(partner=partner, actor=SYSTEM, rows=parse_csv(batch_csv(variant, count, **kwargs)))


def batch_accepted(
    partner: Organisation, variant: Variant, count: int = 3, method: str = "partner_credit", **kwargs: Any
) -> Any:
    from tradein.services.batches import batch_accept

    batch = batch_quoted(partner, variant, count, **kwargs)
    return batch_accept(batch=batch, actor=SYSTEM, payout=PayoutChoice(method=method, iban=IBAN_FR))
