"""A refurbisher applies to sell: company data, VAT id, documents, the quality charter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType, Market, OrganisationKind, User
from marketplace.services import organisation_create
from marketplace.transitions import audit_record
from sellers import documents as document_rules
from sellers import notifications
from sellers.models import DocumentKind, LegalForm, Seller, SellerDocument
from sellers.services.events import seller_status_event_data
from sellers.services.standing import seller_standing_sync
from sellers.states import SellerStatus
from sellers.vat import normalise_vat_id, vat_id_error
from warranty.services.labels import seller_return_address_set


@dataclass(frozen=True)
class Application:
    """What an applicant submits (validated again here, whatever the form did)."""

    company_name: str
    legal_form: str
    vat_id: str
    home_market: str
    address_line: str
    postal_code: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    monthly_capacity: int
    capacity_description: str
    charter_accepted: bool


def _application_errors(application: Application, documents: Sequence[UploadedFile[bytes]]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def add(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    for name in ("company_name", "address_line", "postal_code", "city", "contact_name", "capacity_description"):
        if not str(getattr(application, name)).strip():
            add(name, "This field is required.")
    if application.legal_form not in LegalForm.values:
        add("legal_form", "Choose a legal form.")
    if not Market.objects.filter(code=application.home_market).exists():
        add("home_market", "Choose the country of your business among Encore's markets.")
    elif message := vat_id_error(application.home_market, application.vat_id):
        add("vat_id", message)
    elif Seller.objects.filter(vat_id=normalise_vat_id(application.vat_id)).exists():
        add("vat_id", "A seller with this VAT id has already applied.")
    if application.monthly_capacity < 1:
        add("monthly_capacity", "Tell us how many units you refurbish per month.")
    if not application.charter_accepted:
        add("charter_accepted", "You must accept the quality charter to sell on Encore.")
    if not documents:
        add("documents", "Attach at least one proof of your refurbishing capacity.")
    for upload in documents:
        if message := document_rules.document_error(upload):
            add("documents", message)
    return errors


def seller_apply(*, user: User, application: Application, documents: Sequence[UploadedFile[bytes]]) -> Seller:
    """Create a seller organisation (owner: `user`) in status applied, with its proof documents.

    Everything is validated before anything is written; invalid input raises
    ApplicationError(VALIDATION) with field errors and saves nothing. Side effects:
    audit record, `seller.status_changed` event, e-mail to success managers.
    """
    errors = _application_errors(application, documents)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The application has errors.", errors=errors)
    now = timezone.now()
    with transaction.atomic():
        organisation = organisation_create(
            kind=OrganisationKind.SELLER,
            name=application.company_name,
            country=application.home_market,
            owner=user,
        )
        seller = Seller.objects.create(
            organisation=organisation,
            status=SellerStatus.APPLIED,
            legal_form=application.legal_form,
            vat_id=normalise_vat_id(application.vat_id),
            home_market_id=application.home_market,
            address_line=application.address_line.strip(),
            postal_code=application.postal_code.strip(),
            city=application.city.strip(),
            contact_name=application.contact_name.strip(),
            contact_email=application.contact_email.strip().lower(),
            contact_phone=application.contact_phone.strip(),
            monthly_capacity=application.monthly_capacity,
            capacity_description=application.capacity_description.strip(),
            charter_version=settings.QUALITY_CHARTER_VERSION,
            charter_accepted_at=now,
            applied_at=now,
        )
        # Where returns and repairs go: printed on the labels Encore makes (warranty keeps its own copy).
        seller_return_address_set(
            organisation=organisation,
            name=organisation.name,
            address_line=seller.address_line,
            postal_code=seller.postal_code,
            city=seller.city,
            country=seller.home_market_id,
        )
        for upload in documents:
            SellerDocument.objects.create(
                seller=seller,
                kind=DocumentKind.CAPACITY,
                file=upload,
                original_name=(upload.name or "document")[:200],
                content_type=document_rules.sniff_content_type(upload) or "application/octet-stream",
                size=upload.size or 0,
            )
        actor = Actor.for_user(user)
        audit_record(obj=seller, actor=actor, from_status="", to_status=SellerStatus.APPLIED, organisation=organisation)
        emit(
            EventType.SELLER_STATUS_CHANGED,
            seller_status_event_data(seller, "", SellerStatus.APPLIED, ""),
            organisation,
        )
        seller_standing_sync(seller=seller)
        seller_id = seller.pk
        transaction.on_commit(
            lambda: notifications.notify_seller_status_task.delay(seller_id, SellerStatus.APPLIED, "")
        )
        transaction.on_commit(lambda: notifications.notify_success_managers_task.delay(seller_id, "application"))
    return seller
