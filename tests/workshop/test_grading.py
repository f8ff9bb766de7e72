"""The grade suggestion: one pure function, as a table of cases (the grade table's floors: 90/85/80/80)."""

from __future__ import annotations

import pytest

from workshop.grading import GradeRow, grade_allowed, grade_suggest

GRADES = [
    GradeRow(code="premium", rank=1, battery_floor=90),
    GradeRow(code="excellent", rank=2, battery_floor=85),
    GradeRow(code="good", rank=3, battery_floor=80),
    GradeRow(code="fair", rank=4, battery_floor=80),
]
F, N20, N50, V, C = "flawless", "not_at_20cm", "not_at_50cm", "visible", "cracked"


@pytest.mark.parametrize(
    ("screen", "body", "battery", "third_party", "grade", "held_back"),
    [
        # flawless everywhere: premium, unless the battery or a third-party part holds it back
        (F, F, 100, False, "premium", ()),
        (F, F, 90, False, "premium", ()),
        (F, F, 89, False, "excellent", ("battery",)),
        (F, F, 95, True, "excellent", ("parts",)),
        # excellent: no scratch on the screen, body marks invisible at 20 cm
        (F, N20, 95, False, "excellent", ("body",)),
        (F, N20, 85, False, "excellent", ("body", "battery")),
        (F, N20, 84, False, "good", ("battery",)),
        (N20, F, 95, False, "good", ("screen",)),
        # good: no marks visible at 50 cm
        (N50, N50, 80, False, "good", ("screen", "body", "battery")),
        (N50, N20, 99, False, "good", ("screen",)),
        # fair: visible scratches or dents, no crack
        (V, N20, 99, False, "fair", ("screen",)),
        (N20, V, 80, False, "fair", ("body",)),
        (V, V, 80, True, "fair", ("screen", "body")),
        # no grade: a crack anywhere, or the battery below every floor
        (C, F, 100, False, None, ("screen",)),
        (F, C, 100, False, None, ("body",)),
        (F, F, 79, False, None, ("battery",)),
        (V, V, 0, False, None, ("battery",)),
    ],
)
def test_the_suggestion(screen, body, battery, third_party, grade, held_back):
    suggestion = grade_suggest(
        screen=screen, body=body, battery_health=battery, third_party_parts=third_party, grades=GRADES
    )

    assert (suggestion.grade, suggestion.held_back) == (grade, held_back)


def test_the_battery_floors_are_the_grade_tables_data():
    raised = [GradeRow(code=row.code, rank=row.rank, battery_floor=row.battery_floor + 5) for row in GRADES]

    assert (
        grade_suggest(screen=F, body=F, battery_health=92, third_party_parts=False, grades=raised).grade == "excellent"
    )


def test_a_grade_the_module_does_not_know_is_never_suggested():
    grades = [GradeRow(code="mint", rank=0, battery_floor=0), *GRADES]

    assert (
        grade_suggest(screen=F, body=F, battery_health=100, third_party_parts=False, grades=grades).grade == "premium"
    )


def test_an_unknown_finding_is_refused():
    with pytest.raises(ValueError, match="unknown cosmetic"):
        grade_suggest(screen="meh", body=F, battery_health=100, third_party_parts=False, grades=GRADES)


@pytest.mark.parametrize(("chosen", "suggested", "allowed"), [(2, 2, True), (3, 2, True), (4, 1, True), (1, 2, False)])
def test_the_seller_may_list_lower_never_higher(chosen, suggested, allowed):
    assert grade_allowed(chosen_rank=chosen, suggested_rank=suggested) is allowed
