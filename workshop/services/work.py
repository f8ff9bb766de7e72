"""The work on a unit: diagnosis, repair (findings, parts, labour, photos) and the quality check.

- A diagnosis is recorded on a received (or diagnosed) unit: received -> diagnosed.
- A repair step is recorded on a diagnosed (or in repair) unit: diagnosed -> in_repair. Its parts
  (part, supplier, origin, cost) and labour (minutes, priced at the seller's rate now:
  `workshop.costs.labour_cost_amount`) add to the unit's cost in the same transaction.
- The quality check, on a unit in quality_check: every item of the category's list (`CheckItem`, data)
  passed or failed, the cosmetic findings (screen, body) and the battery health measured. Every item
  passed and a grade possible (`workshop.grading.grade_suggest`): quality_check -> ready, with the
  suggested grade. Otherwise: quality_check -> in_repair, the failed items (or why no grade) named.
Photos are checked by their content (JPEG, PNG or HEIC, 10 MB, at most 5 a step) and stored privately;
a step that rolls back leaves no file behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Grade
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from warranty.photos import CheckedPhoto, photos_check
from workshop.costs import labour_cost_amount
from workshop.grading import GradeRow, grade_suggest
from workshop.models import PartUsed, QualityCheck, Technician, Unit, UnitPhoto, WorkEntry
from workshop.selectors import check_items_for
from workshop.services.setup import workshop_settings_for
from workshop.services.units import MAX_COST_AMOUNT, unit_move
from workshop.states import COSMETIC_RANK, PartOrigin, UnitStatus, WorkKind

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_LABOUR_MINUTES = 24 * 60
MAX_PARTS = 20
HELD_BACK_WORDS = {
    "screen": "the screen's marks",
    "body": "the body's marks",
    "battery": "the battery",
    "parts": "third-party parts",
}


@dataclass(frozen=True)
class PartInput:
    name: str
    cost_amount: int
    supplier: str = ""
    origin: str = PartOrigin.ORIGINAL


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def _refuse_status(unit: Unit, allowed: Sequence[str], message: str) -> ApplicationError:
    return ApplicationError(
        ErrorCode.INVALID_TRANSITION, message, extra={"from": unit.status, "allowed": sorted(allowed)}
    )


def _with_files(work: Callable[[list[str]], T]) -> T:
    """Run `work` in one transaction; photos it wrote are removed if the transaction rolls back."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            return work(saved)
    except BaseException:
        storage = UnitPhoto._meta.get_field("file").storage
        for name in saved:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not remove %s after a rollback", name)
        raise


def _save_photos(unit: Unit, entry: WorkEntry | None, photos: Sequence[CheckedPhoto], saved: list[str]) -> None:
    for photo in photos:
        row = UnitPhoto(unit=unit, work=entry, content_type=photo.content_type, size=photo.upload.size or 0)
        row.file.save(photo.storage_name, photo.upload, save=False)
        saved.append(row.file.name or "")
        row.save()


def _check_work(
    *, findings: str, labour_minutes: int, parts: Sequence[PartInput], photos: Sequence[UploadedFile[bytes]]
) -> list[CheckedPhoto]:
    errors = []
    if not findings.strip():
        errors.append(_error("findings", _("Say what was found or done.")))
    if not 0 <= labour_minutes <= MAX_LABOUR_MINUTES:
        errors.append(_error("labour_minutes", _("Labour is between 0 and 1440 minutes a step.")))
    if len(parts) > MAX_PARTS:
        errors.append(_error("parts", _("At most %(count)s parts a step.") % {"count": MAX_PARTS}))
    for index, part in enumerate(parts):
        if not part.name.strip():
            errors.append(_error(f"parts.{index}.name", _("Name the part.")))
        if not 0 <= part.cost_amount <= MAX_COST_AMOUNT:
            errors.append(_error(f"parts.{index}.cost", _("A part's cost is not negative.")))
        if part.origin not in PartOrigin.values:
            errors.append(_error(f"parts.{index}.origin", _("Original, certified or third-party.")))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, " ".join(e["message"] for e in errors), errors=errors)
    return photos_check(list(photos)) if photos else []


def _work_record(
    *,
    unit: Unit,
    actor: Actor,
    kind: str,
    findings: str,
    labour_minutes: int,
    parts: Sequence[PartInput],
    photos: Sequence[UploadedFile[bytes]],
    technician: Technician | None,
    accepted: Sequence[str],
    moves_to: str,
) -> WorkEntry:
    checked_photos = _check_work(findings=findings, labour_minutes=labour_minutes, parts=parts, photos=photos)
    if technician is not None and technician.seller_id != unit.seller_id:
        raise ApplicationError(ErrorCode.VALIDATION, _("Choose one of your technicians."))
    rate = workshop_settings_for(unit.seller)

    def work(saved: list[str]) -> WorkEntry:
        locked = Unit.objects.select_for_update(of=("self",)).select_related("seller").get(pk=unit.pk)
        if locked.status not in accepted:
            raise _refuse_status(
                locked,
                accepted,
                _("A %(kind)s is recorded on a unit that is %(statuses)s.")
                % {
                    "kind": WorkKind(kind).label.lower(),
                    "statuses": _(" or ").join(str(UnitStatus(s).label).lower() for s in accepted),
                },
            )
        labour_amount = labour_cost_amount(labour_minutes, rate.labour_rate_amount)
        parts_amount = sum(part.cost_amount for part in parts)
        entry = WorkEntry.objects.create(
            unit=locked,
            kind=kind,
            findings=findings.strip()[:4000],
            labour_minutes=labour_minutes,
            labour_amount=labour_amount,
            technician=technician or locked.technician,
            author=actor.user,
        )
        PartUsed.objects.bulk_create(
            [
                PartUsed(
                    unit=locked,
                    work=entry,
                    name=part.name.strip()[:120],
                    supplier=part.supplier.strip()[:120],
                    origin=part.origin,
                    cost_amount=part.cost_amount,
                    currency=locked.currency,
                )
                for part in parts
            ]
        )
        Unit.objects.filter(pk=locked.pk).update(
            parts_amount=F("parts_amount") + parts_amount,
            labour_minutes=F("labour_minutes") + labour_minutes,
            labour_amount=F("labour_amount") + labour_amount,
            updated_at=timezone.now(),
        )
        _save_photos(locked, entry, checked_photos, saved)
        if locked.status != moves_to:
            unit_move(locked, to=moves_to, actor=actor, reason=f"{kind} recorded")
        return entry

    return _with_files(work)


def unit_diagnose(
    *,
    unit: Unit,
    actor: Actor,
    findings: str,
    labour_minutes: int = 0,
    photos: Sequence[UploadedFile[bytes]] = (),
    technician: Technician | None = None,
) -> WorkEntry:
    """Record a diagnosis (received -> diagnosed; a further note on a diagnosed unit stays there).
    Raises VALIDATION, INVALID_TRANSITION."""
    return _work_record(
        unit=unit,
        actor=actor,
        kind=WorkKind.DIAGNOSIS,
        findings=findings,
        labour_minutes=labour_minutes,
        parts=(),
        photos=photos,
        technician=technician,
        accepted=(UnitStatus.RECEIVED, UnitStatus.DIAGNOSED),
        moves_to=UnitStatus.DIAGNOSED,
    )


def unit_repair(
    *,
    unit: Unit,
    actor: Actor,
    findings: str,
    labour_minutes: int = 0,
    parts: Sequence[PartInput] = (),
    photos: Sequence[UploadedFile[bytes]] = (),
    technician: Technician | None = None,
) -> WorkEntry:
    """Record a repair step with its parts and labour (diagnosed -> in_repair; more steps stay in repair).
    The unit's cost grows by the parts and the labour. Raises VALIDATION, INVALID_TRANSITION."""
    return _work_record(
        unit=unit,
        actor=actor,
        kind=WorkKind.REPAIR,
        findings=findings,
        labour_minutes=labour_minutes,
        parts=parts,
        photos=photos,
        technician=technician,
        accepted=(UnitStatus.DIAGNOSED, UnitStatus.IN_REPAIR),
        moves_to=UnitStatus.IN_REPAIR,
    )


def unit_quality_check_record(
    *,
    unit: Unit,
    actor: Actor,
    results: Mapping[str, bool],
    screen: str,
    body: str,
    battery_health: int,
    note: str = "",
    technician: Technician | None = None,
) -> QualityCheck:
    """Record the quality check of a unit in quality_check (see the module's docstring). `results` maps
    every item code of the category's list to passed (True) or failed (False). Raises VALIDATION (an item
    missing or unknown, a finding out of range), INVALID_TRANSITION."""
    category = unit.variant.product.category
    items = check_items_for(category)
    codes = [item.code for item in items]
    errors = []
    missing = [code for code in codes if code not in results]
    unknown = sorted(set(results) - set(codes))
    if missing:
        errors.append(_error("results", _("Check every item: %(items)s.") % {"items": ", ".join(missing)}))
    if unknown:
        errors.append(_error("results", _("Not on this category's list: %(items)s.") % {"items": ", ".join(unknown)}))
    if screen not in COSMETIC_RANK:
        errors.append(_error("screen", _("Choose the screen's state.")))
    if body not in COSMETIC_RANK:
        errors.append(_error("body", _("Choose the body's state.")))
    if not 0 <= battery_health <= 100:
        errors.append(_error("battery_health", _("Battery health is a percentage (0 to 100).")))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, " ".join(e["message"] for e in errors), errors=errors)
    checked = [{"code": item.code, "name": item.name, "passed": bool(results[item.code])} for item in items]
    failed = [item for item in checked if not item["passed"]]
    grades = list(Grade.objects.order_by("rank"))
    with transaction.atomic():
        locked = Unit.objects.select_for_update(of=("self",)).select_related("seller").get(pk=unit.pk)
        if locked.status != UnitStatus.QUALITY_CHECK:
            raise _refuse_status(locked, [UnitStatus.QUALITY_CHECK], _("Only a unit in quality check is checked."))
        suggested: Grade | None = None
        reason = ""
        if failed:
            reason = "failed: " + ", ".join(str(item["code"]) for item in failed)
        else:
            third_party = locked.parts.filter(origin=PartOrigin.THIRD_PARTY).exists()
            suggestion = grade_suggest(
                screen=screen,
                body=body,
                battery_health=battery_health,
                third_party_parts=third_party,
                grades=[GradeRow(code=g.code, rank=g.rank, battery_floor=g.battery_floor) for g in grades],
            )
            suggested = next((g for g in grades if g.code == suggestion.grade), None)
            if suggested is None:
                reason = "no grade possible: " + ", ".join(
                    HELD_BACK_WORDS.get(part, part) for part in suggestion.held_back
                )
        passed = suggested is not None
        check = QualityCheck.objects.create(
            unit=locked,
            results=checked,
            passed=passed,
            screen=screen,
            body=body,
            battery_health=battery_health,
            suggested_grade=suggested,
            note=note.strip()[:2000],
            technician=technician or locked.technician,
            author=actor.user,
        )
        Unit.objects.filter(pk=locked.pk).update(
            battery_health=battery_health, screen=screen, body=body, suggested_grade=suggested
        )
        if passed:
            unit_move(locked, to=UnitStatus.READY, actor=actor, reason=f"quality check passed: {suggested.code}")  # type: ignore[union-attr]
        else:
            unit_move(locked, to=UnitStatus.IN_REPAIR, actor=actor, reason=f"quality check {reason}")
    return check
