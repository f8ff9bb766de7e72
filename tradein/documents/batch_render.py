"""A business batch's documents from the batch: the parcels' labels, the report, the credit note, the
erasure certificates (one ZIP). Each gathers plain values in the company's language and hands them
to its builder (`marketplace.documents.labels`, `batch_report`, `credit_note`, `certificate`)."""

from __future__ import annotations

import tempfile
import zipfile
from collections import Counter
from typing import IO

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.impact import CONVENTION, GHG_PROTOCOL, impact_of, is_estimate, root_categories
from marketplace.documents.labels import LabelAddress, ShippingLabel, shipping_labels_pdf
from marketplace.i18n import email_language
from marketplace.money import Money
from tradein import rules
from tradein.documents.batch_report import BatchReportData, ReportDevice, build_batch_report_pdf
from tradein.documents.credit_note import CreditNoteData, CreditNoteLine, build_credit_note_pdf
from tradein.documents.render import certificate_pdf
from tradein.models import Batch, TradeIn
from tradein.states import Condition, PayoutMethod, PayoutStatus, Route, TradeInStatus


def batch_language(batch: Batch) -> str:
    return email_language(batch.market.language)


def _devices(batch: Batch) -> QuerySet[TradeIn]:
    return (
        TradeIn.objects.filter(batch=batch)
        .select_related("product__category", "variant", "inspection", "payout", "certificate", "parcel")
        .order_by("pk")
    )


def _kg(grams: int) -> str:
    return formats.number_format(round(grams / 1000, 1), decimal_pos=1, use_l10n=True)


def batch_labels_pdf(batch: Batch) -> bytes:
    """One prepaid label per parcel: from the company to the trade-in centre, its QR code the parcel's."""
    first = TradeIn.objects.filter(batch=batch).exclude(full_name="").order_by("pk").first()
    sender = LabelAddress(
        first.full_name if first else batch.partner.name,
        (first.address_line, f"{first.postal_code} {first.city}", first.country.upper()) if first else (),
    )
    recipient = LabelAddress(rules.WAREHOUSE_ADDRESS[0], tuple(rules.WAREHOUSE_ADDRESS[1:]))
    parcels = list(batch.parcels.order_by("number"))
    counts = Counter(TradeIn.objects.filter(batch=batch, parcel__isnull=False).values_list("parcel_id", flat=True))
    with translation.override(batch_language(batch)):
        deadline = formats.date_format(batch.send_by, "DATE_FORMAT") if batch.send_by else ""
        labels = [
            ShippingLabel(
                title=_("Prepaid trade-in label"),
                carrier=_("Encore Post"),
                tracking_number=parcel.tracking_number,
                sender_heading=_("From"),
                sender=sender,
                recipient_heading=_("To"),
                recipient=recipient,
                reference=_("Batch %(batch)s · parcel %(number)s of %(count)s · %(devices)s")
                % {
                    "batch": batch.reference,
                    "number": parcel.number,
                    "count": len(parcels),
                    "devices": ngettext("%(n)s device", "%(n)s devices", counts[parcel.pk]) % {"n": counts[parcel.pk]},
                },
                qr_payload=parcel.qr_payload,
                instructions=(
                    _("Pack the devices listed for this parcel in the batch's packing list, erased and signed out."),
                    _("Drop it off by %(date)s.") % {"date": deadline},
                ),
            )
            for parcel in parcels
        ]
        return shipping_labels_pdf(labels, title=f"{_('Prepaid trade-in label')} {batch.reference}")


def _reused(device: TradeIn) -> bool:
    """A device kept in use: bought and not sent to recycling."""
    return device.status == TradeInStatus.PAID or (
        device.status == TradeInStatus.ROUTED and device.route == Route.RESOLD
    )


def batch_report_pdf(batch: Batch) -> bytes:
    """The report: devices, conditions declared and found, value paid, and what their reuse avoids."""
    devices = list(_devices(batch))
    roots = root_categories()
    reused = [device for device in devices if _reused(device)]
    impact = impact_of(Counter(device.product.category_id for device in reused), roots)
    paid = Money.zero(batch.currency)
    for device in devices:
        if _has(device, "payout") and device.payout.status in (PayoutStatus.CREDITED, PayoutStatus.SENT):
            paid += device.payout.money
    labels = dict(Condition.choices)
    declared = Counter(device.declared_condition for device in devices)
    found = Counter(device.inspection.condition for device in devices if _has(device, "inspection"))
    categories = sorted({roots[d.product.category_id] for d in reused if d.product.category_id in roots}, key=str)
    with translation.override(batch_language(batch)):
        method = [str(CONVENTION)]
        for category in categories:
            method.append(
                _(
                    "%(category)s: %(co2e)s kg CO2e and %(ewaste)s kg of e-waste avoided per device. "
                    "CO2e: %(co2e_source)s. E-waste: %(ewaste_source)s."
                )
                % {
                    "category": category.display_name,
                    "co2e": _kg(category.co2e_avoided_grams),
                    "ewaste": _kg(category.ewaste_avoided_grams),
                    "co2e_source": category.co2e_source or _("no figure"),
                    "ewaste_source": category.ewaste_source or _("no figure"),
                }
                + (" " + _("(An estimate, not a measurement.)") if is_estimate(category.co2e_source) else "")
            )
        data = BatchReportData(
            title=_("Business trade-in report"),
            company=batch.partner.name,
            batch_reference=batch.reference,
            issued_on=formats.date_format(timezone.now(), "DATE_FORMAT"),
            summary_heading=_("Summary"),
            summary=[
                (_("Devices in the batch"), str(len(devices))),
                (_("Received"), str(sum(1 for d in devices if d.received_at is not None))),
                (
                    _("Bought and paid"),
                    str(sum(1 for d in devices if d.status in (TradeInStatus.PAID, TradeInStatus.ROUTED))),
                ),
                (_("Sent back"), str(sum(1 for d in devices if d.status == TradeInStatus.RETURNED))),
                (_("Value of the batch quote"), formats.localize(batch.offer_total.decimal) + f" {batch.currency}"),
                (_("Value paid"), formats.localize(paid.decimal) + f" {batch.currency}"),
            ],
            conditions_heading=_("Conditions declared and found"),
            conditions_columns=(_("Condition"), _("Declared"), _("Found at inspection")),
            conditions=[
                (str(labels[code]), str(declared.get(code, 0)), str(found.get(code, 0))) for code in Condition.values
            ],
            impact_heading=_("Impact of reuse"),
            impact=[
                (_("Devices kept in use"), str(len(reused))),
                (_("Devices recycled"), str(sum(1 for d in devices if d.route == Route.RECYCLED))),
                (_("CO2e avoided"), f"{_kg(impact.co2e_grams)} kg"),
                (_("E-waste avoided"), f"{_kg(impact.ewaste_grams)} kg"),
            ],
            scope3_notice=_(
                "These are emissions avoided by the reuse of your devices. As the GHG Protocol asks (%(standard)s), "
                "they are reported apart from %(company)s's own Scope 1, 2 and 3 inventory and must not be "
                "subtracted from it."
            )
            % {"standard": GHG_PROTOCOL, "company": batch.partner.name},
            method_heading=_("Method and sources"),
            method=method,
            devices_heading=_("Devices"),
            device_columns=(
                _("Trade-in"),
                _("Device"),
                _("IMEI or serial"),
                _("Declared"),
                _("Found"),
                _("Status"),
                _("Paid"),
            ),
            devices=[
                ReportDevice(
                    reference=device.reference,
                    device=f"{device.product.name} {device.variant.storage_label}".strip(),
                    identifier=device.declared_identifier,
                    declared=str(labels[device.declared_condition]),
                    found=str(labels[device.inspection.condition]) if _has(device, "inspection") else "",
                    status=str(device.get_status_display()),
                    paid=formats.localize(device.payout.money.decimal) if _has(device, "payout") else "",
                )
                for device in devices
            ],
        )
        return build_batch_report_pdf(data)


def _has(device: TradeIn, name: str) -> bool:
    try:
        return getattr(device, name) is not None
    except ObjectDoesNotExist:  # a reverse one-to-one not made yet
        return False


def credit_note_number(batch: Batch) -> str:
    return f"CN-{batch.reference}"


def batch_credit_note_pdf(batch: Batch) -> bytes | None:
    """The credit note for the devices of the batch paid so far (None when none is)."""
    devices = [
        device
        for device in _devices(batch)
        if _has(device, "payout") and device.payout.status in (PayoutStatus.CREDITED, PayoutStatus.SENT)
    ]
    if not devices:
        return None
    total = Money.zero(batch.currency)
    for device in devices:
        total += device.payout.money
    first = devices[0]
    with translation.override(batch_language(batch)):
        if batch.payout_method == PayoutMethod.BANK_TRANSFER:
            settlement = _("Settled by bank transfer (SEPA) to the account ending in %(last4)s.") % {
                "last4": first.iban[-4:]
            }
        else:
            settlement = _("Credited to %(company)s's partner account with Encore, settled with its invoices.") % {
                "company": batch.partner.name
            }
        data = CreditNoteData(
            title=_("Credit note"),
            number=credit_note_number(batch),
            issued_on=formats.date_format(max(d.paid_at or timezone.now() for d in devices), "DATE_FORMAT"),
            issuer=list(settings.INVOICE_ISSUER),
            recipient_heading=_("To"),
            recipient=[batch.partner.name, first.full_name, first.address_line, f"{first.postal_code} {first.city}"],
            batch_line=_("Devices bought in batch %(batch)s%(reference)s.")
            % {
                "batch": batch.reference,
                "reference": f" · {batch.partner_reference}" if batch.partner_reference else "",
            },
            columns=(_("Trade-in"), _("Device"), _("IMEI or serial"), _("Amount")),
            lines=[
                CreditNoteLine(
                    reference=device.reference,
                    device=f"{device.product.name} {device.variant.storage_label}".strip(),
                    identifier=device.inspection.identifier
                    if _has(device, "inspection")
                    else device.declared_identifier,
                    amount=formats.localize(device.payout.money.decimal),
                )
                for device in devices
            ],
            total_label=_("Total (%(currency)s)") % {"currency": batch.currency},
            total=formats.localize(total.decimal),
            settlement=settlement,
            notes=[
                _(
                    "The price of each device is the one agreed after inspection (the quote, or the counter-offer "
                    "you accepted)."
                ),
                _(
                    "Devices sent back or still being inspected are not on this credit note; it is issued again as "
                    "they are paid."
                ),
            ],
        )
        return build_credit_note_pdf(data)


def batch_certificates_zip(batch: Batch) -> IO[bytes] | None:
    """Every erasure certificate of the batch, one PDF each, in one ZIP (a temporary file, rewound);
    None when no device has been wiped yet."""
    wiped = [device for device in _devices(batch) if _has(device, "certificate")]
    if not wiped:
        return None
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for device in wiped:
            device.market = batch.market
            archive.writestr(f"erasure-certificate-{device.certificate.number}.pdf", certificate_pdf(device))
    spool.seek(0)
    return spool
