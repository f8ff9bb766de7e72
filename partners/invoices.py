"""A partner's billing documents: the monthly invoice of its orders paid on invoice, and a credit note
per refund of one of them (DOMAIN.md: orders paid on a partner's invoice are refunded by credit note).

Values come from `partners.selectors` (`month_statement`, `credit_notes`); this module words and
formats them in the partner's language (its country's market language when Encore speaks it) and
hands plain values to `partners.documents`, which draws the PDF.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from marketplace.models import Organisation
from marketplace.money import Money
from orders.models import Refund
from partners.documents import BillingDocument, Column, billing_document_pdf
from partners.notifications import organisation_language
from partners.selectors import MonthStatement, credit_note_number, month_statement, partner_time_zone


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _money(value: Money, language: str) -> str:
    return value.format(language)


def _customer(partner: Organisation) -> list[str]:
    return [partner.name, partner.country.upper()]


def monthly_invoice_pdf(*, partner: Organisation, year: int, month: int) -> tuple[str, bytes]:
    """The invoice of one month: (file name, PDF bytes)."""
    statement = month_statement(partner=partner, year=year, month=month)
    language = organisation_language(partner)
    with translation.override(language):
        return f"{statement.number}.pdf", billing_document_pdf(_invoice_document(statement, language))


def _invoice_document(statement: MonthStatement, language: str) -> BillingDocument:
    period = formats.date_format(date(statement.year, statement.month, 1), "YEAR_MONTH_FORMAT")
    totals: list[tuple[str, str]] = []
    for currency, orders, vat, credited, due in statement.totals():
        totals += [
            (_("Orders (%(currency)s, VAT included)") % {"currency": currency}, _money(orders, language)),
            (_("of which VAT"), _money(vat, language)),
        ]
        if credited.amount:
            totals.append((_("Credit notes"), _money(-credited, language)))
        totals.append((_("Amount due (%(currency)s)") % {"currency": currency}, _money(due, language)))
    rows = [
        [_day(line.day), line.order_number, line.reference, line.customer, _money(line.total, language)]
        for line in statement.lines
    ] + [
        [_day(credit.day), credit.order_number, credit.number, _("Credit note"), _money(-credit.amount, language)]
        for credit in statement.credits
    ]
    return BillingDocument(
        title=_("Invoice"),
        number_label=_("Number"),
        number=statement.number,
        facts=[(_("Period"), period), (_("Issued"), _day(statement.period_end))],
        issuer_heading=_("From"),
        issuer=list(settings.INVOICE_ISSUER),
        customer_heading=_("Bill to"),
        customer=_customer(statement.partner),
        columns=[
            Column(_("Date"), 24),
            Column(_("Order"), 30),
            Column(_("Reference"), 36),
            Column(_("Customer"), 50),
            Column(_("Amount"), 34, align_right=True),
        ],
        rows=rows,
        empty_text=_("No orders were paid on invoice this month."),
        totals=totals,
        notes=[
            _("Orders placed through the Encore partner API, paid on invoice; amounts include VAT."),
            _("Refunds of these orders are made by credit notes, deducted above."),
        ],
    )


def credit_note_pdf(*, refund: Refund) -> tuple[str, bytes]:
    """The credit note of one refund of an invoiced order: (file name, PDF bytes)."""
    order = refund.payment.order
    partner = order.partner
    assert partner is not None  # noqa: S101 - credit notes are for partner orders (the selector's filter)
    language = organisation_language(partner)
    number = credit_note_number(refund)
    zone = partner_time_zone(partner)
    issued = (refund.completed_at or refund.created_at).astimezone(zone).date()
    with translation.override(language):
        document = BillingDocument(
            title=_("Credit note"),
            number_label=_("Number"),
            number=number,
            facts=[(_("Issued"), _day(issued)), (_("Order"), order.number)],
            issuer_heading=_("From"),
            issuer=list(settings.INVOICE_ISSUER),
            customer_heading=_("Credit to"),
            customer=_customer(partner),
            columns=[
                Column(_("Order"), 34),
                Column(_("Reference"), 40),
                Column(_("Reason"), 66),
                Column(_("Amount"), 34, True),
            ],
            rows=[
                [order.number, order.partner_reference, refund.reason or _("Refund"), _money(refund.money, language)]
            ],
            empty_text="",
            totals=[(_("Credited (%(currency)s)") % {"currency": refund.currency}, _money(refund.money, language))],
            notes=[_("Deducted from the amount due on the invoice of the month it was issued.")],
        )
        return f"{number}.pdf", billing_document_pdf(document)
