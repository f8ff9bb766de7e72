"""The score formula's versions: platform staff publish a new one (console or admin), never edit one.

The weights and thresholds are data (`sellers.models.ScoreFormula`); `sellers/scoring.py` is the one
function that applies them. The next scoring run uses the newest version, and every history row
names the version it was computed with.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.transitions import audit_record
from sellers.models import ScoreFormula
from sellers.scoring import HIGHER_IS_BETTER, METRICS

# The numbers of a version, in the order the console shows them.
FORMULA_FIELDS: tuple[str, ...] = (
    "window_days",
    "minimum_units",
    *(f"{kind}_{metric}" for metric in METRICS for kind in ("weight", "target", "limit")),
    "warning_below",
    "cap_below",
    "suspend_below",
    "suspend_defect_rate",
    "grace_days",
)


def formula_errors(values: Mapping[str, int]) -> list[dict[str, str]]:
    """What is wrong with a formula's numbers (the database's constraints, said in words first)."""
    errors: list[dict[str, str]] = []
    missing = [name for name in FORMULA_FIELDS if not isinstance(values.get(name), int) or values[name] < 0]
    for name in missing:
        errors.append({"field": name, "message": _("Enter a whole number, 0 or more.")})
    if missing:
        return errors
    weights = sum(values[f"weight_{metric}"] for metric in METRICS)
    if weights != 100:
        errors.append(
            {
                "field": f"weight_{METRICS[0]}",
                "message": _("The weights add up to %(total)d; they must add up to 100.") % {"total": weights},
            }
        )
    for metric in METRICS:
        target, limit = values[f"target_{metric}"], values[f"limit_{metric}"]
        if metric in HIGHER_IS_BETTER and not target > limit:
            errors.append({"field": f"target_{metric}", "message": _("Full marks must be above no marks.")})
        elif metric not in HIGHER_IS_BETTER and not target < limit:
            errors.append({"field": f"target_{metric}", "message": _("Full marks must be below no marks.")})
    if not 100 <= values["limit_average_rating"] <= values["target_average_rating"] <= 500:
        errors.append({"field": "limit_average_rating", "message": _("Ratings are between 100 and 500 (1-5 stars).")})
    if not values["suspend_below"] <= values["cap_below"] <= values["warning_below"] <= 100:
        errors.append(
            {"field": "warning_below", "message": _("Suspension, cap and warning thresholds go up, at most 100.")}
        )
    if not 7 <= values["window_days"] <= 365:
        errors.append({"field": "window_days", "message": _("The window is 7 to 365 days.")})
    if values["minimum_units"] < 1:
        errors.append({"field": "minimum_units", "message": _("The minimum sample is at least 1 unit.")})
    return errors


def score_formula_publish(*, actor: Actor, values: Mapping[str, int], note: str) -> ScoreFormula:
    """Publish the next version of the formula with `values` (every name of FORMULA_FIELDS).

    Refuses with VALIDATION naming the fields (weights not adding up to 100, bounds the wrong way
    round, thresholds out of order, a note missing). The version number is the highest + 1; two
    staff publishing at once get two versions, never one overwritten. Audited.
    """
    errors = formula_errors(values)
    if not note.strip():
        errors.append({"field": "note", "message": _("Say what changed and why.")})
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _("The formula has errors."), errors=errors)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = (ScoreFormula.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                formula = ScoreFormula.objects.create(
                    version=version,
                    created_by=actor.user,
                    note=note.strip(),
                    **{name: values[name] for name in FORMULA_FIELDS},
                )
                audit_record(obj=formula, actor=actor, from_status="", to_status=f"v{version}", reason=note.strip())
                return formula
        except IntegrityError:
            continue  # another version was published at the same moment: take the next number
    raise ApplicationError(ErrorCode.INVALID_TRANSITION, _("Another version was being published; try again."))
