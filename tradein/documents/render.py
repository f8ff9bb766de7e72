"""Trade-in documents from a trade-in: the plain values each builder needs, in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from marketplace.documents.labels import LabelAddress, ShippingLabel, shipping_label_pdf
from marketplace.i18n import email_language
from tradein import rules
from tradein.documents.certificate import CertificateData, build_certificate_pdf
from tradein.models import TradeIn


def language_of(tradein: TradeIn) -> str:
    """The owner's language: their market's, when Encore speaks it."""
    return email_language(tradein.market.language)


def _owner_address(tradein: TradeIn) -> LabelAddress:
    return LabelAddress(
        tradein.full_name, (tradein.address_line, f"{tradein.postal_code} {tradein.city}", tradein.country.upper())
    )


def _warehouse_address() -> LabelAddress:
    return LabelAddress(rules.WAREHOUSE_ADDRESS[0], tuple(rules.WAREHOUSE_ADDRESS[1:]))


def _device(tradein: TradeIn) -> str:
    return f"{tradein.product.name} {tradein.variant.storage_label}".strip()


def label_pdf(tradein: TradeIn) -> bytes:
    """The prepaid label the owner prints: from the owner to the warehouse, with the trade-in's QR code
    (the kernel's label builder, `marketplace.documents.labels`)."""
    with translation.override(language_of(tradein)):
        deadline = formats.date_format(tradein.send_by, "DATE_FORMAT") if tradein.send_by else ""
        return shipping_label_pdf(
            ShippingLabel(
                title=_("Prepaid trade-in label"),
                carrier=tradein.carrier,
                tracking_number=tradein.tracking_number or "",
                sender_heading=_("From"),
                sender=_owner_address(tradein),
                recipient_heading=_("To"),
                recipient=_warehouse_address(),
                reference=_("Trade-in %(code)s · %(device)s") % {"code": tradein.reference, "device": _device(tradein)},
                qr_payload=tradein.qr_payload,
                instructions=(
                    _("Erase the device and sign out of every account, pack it well, stick this label on the parcel."),
                    _("Drop it off by %(date)s.") % {"date": deadline},
                ),
            )
        )


def return_label_pdf(tradein: TradeIn) -> bytes:
    """The label of a device going back to its owner (counter-offer declined or unanswered), prepaid by Encore."""
    offer = tradein.counter_offer
    with translation.override(language_of(tradein)):
        return shipping_label_pdf(
            ShippingLabel(
                title=_("Return to sender, prepaid by Encore"),
                carrier=tradein.carrier,
                tracking_number=offer.return_tracking_number,
                sender_heading=_("From"),
                sender=_warehouse_address(),
                recipient_heading=_("To"),
                recipient=_owner_address(tradein),
                reference=_("Trade-in %(code)s · %(device)s") % {"code": tradein.reference, "device": _device(tradein)},
                qr_payload=f"ENCORE-TRADEIN-RETURN:{tradein.reference}",
            )
        )


def verify_url(number: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("tradein:verify", args=[number])


def certificate_pdf(tradein: TradeIn) -> bytes:
    """The data-erasure certificate of a wiped device."""
    certificate = tradein.certificate
    with translation.override(language_of(tradein)):
        return build_certificate_pdf(
            CertificateData(
                number=certificate.number,
                device=certificate.model_name,
                identifier=certificate.identifier,
                identifier_label=_("IMEI") if certificate.identifier.isdigit() else _("Serial number"),
                method=str(certificate.get_method_display()),
                tool=certificate.tool,
                erased_on=formats.date_format(certificate.erased_at, "DATE_FORMAT"),
                operator=certificate.operator_name,
                result=str(certificate.get_result_display()),
                verify_url=verify_url(certificate.number),
                tradein_reference=tradein.reference,
            )
        )
