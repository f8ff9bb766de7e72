"""The partner's monthly invoice and credit notes: PDFs built from plain values, read back with pypdf."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from marketplace.money import Money
from orders.models import Order
from orders.services.refunds import refund_execute, refund_issue
from partners.documents import BillingDocument, Column, billing_document_pdf
from partners.selectors import credit_note_number, month_statement
from tests.factories import MembershipFactory
from tests.factories.orders import SYSTEM, delivered
from tests.partners.test_backoffice import partner_order

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def credit_note_for(order: Order, amount: int):
    seller_order = order.seller_orders.get()
    delivered(seller_order)
    refund = refund_issue(
        payment=order.payment,
        amount=Money(amount, order.currency),
        actor=SYSTEM,
        reason="returned unit",
        idempotency_key=f"test-refund-{order.pk}",
        seller_order=seller_order,
    )
    return refund_execute(refund_id=refund.pk)


def test_the_monthly_invoice_lists_the_months_orders_and_deducts_its_credit_notes(client, partner_org):
    first = partner_order(partner_org, reference="PO-1")
    second = partner_order(partner_org, reference="PO-2")
    last_month = partner_order(partner_org, reference="PO-OLD")
    Order.objects.filter(pk=last_month.pk).update(paid_at=timezone.now() - timedelta(days=40))
    note = credit_note_for(second, 10000)
    assert note.method == "credit_note"
    assert note.status == "succeeded"
    now = timezone.localtime(timezone.now())
    client.force_login(MembershipFactory(organisation=partner_org).user)

    response = client.get(f"/partner/invoices/{now.year}-{now.month}.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    _, text = pdf_text(response.content)
    statement = month_statement(partner=partner_org, year=now.year, month=now.month)
    assert statement.number in text
    assert first.number in text
    assert "PO-1" in text
    assert "PO-2" in text
    assert "PO-OLD" not in text
    assert credit_note_number(note) in text
    (currency, orders, _vat, credited, due) = statement.totals()[0]
    assert currency == "EUR"
    assert credited.amount == 10000
    assert due.amount == orders.amount - 10000
    assert due.format("fr") in text  # the partner is French: amounts as in France
    assert partner_org.name in text


def test_a_credit_note_pdf_names_its_order_and_amount(client, partner_org):
    order = partner_order(partner_org, reference="PO-CN")
    note = credit_note_for(order, 2500)
    client.force_login(MembershipFactory(organisation=partner_org).user)

    response = client.get(f"/partner/credit-notes/{note.pk}.pdf")

    _, text = pdf_text(response.content)
    assert credit_note_number(note) in text
    assert order.number in text
    assert "PO-CN" in text
    assert Money(2500, "EUR").format("fr") in text
    listing = client.get("/partner/invoices/").content.decode()
    assert f"/partner/credit-notes/{note.pk}.pdf" in listing


def test_a_long_invoice_runs_over_pages_and_prints_any_script():
    document = BillingDocument(
        title="Invoice",
        number_label="Number",
        number="INV-00001-202611",
        facts=[("Period", "November 2026")],
        issuer_heading="From",
        issuer=["Encore"],
        customer_heading="Bill to",
        customer=["株式会社テスト", "JP"],
        columns=[Column("Order", 60), Column("Amount", 40, align_right=True)],
        rows=[[f"E{n:09d}", f"¥{n * 1000:,}"] for n in range(1, 151)],
        empty_text="",
        totals=[("Amount due (JPY)", "¥11,325,000")],
    )

    pages, text = pdf_text(billing_document_pdf(document))

    assert pages >= 3
    assert "E000000001" in text
    assert "E000000150" in text
    assert "株式会社テスト" in text
    assert text.count("INV-00001-202611") >= pages  # every page says which invoice it belongs to
