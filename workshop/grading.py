"""The grade a quality check suggests: one pure function, `grade_suggest` (DOMAIN.md, Catalog and grades).

Every grade is fully functional, tested, wiped, unlocked and free of account locks: that is the
quality check's item list, and a unit only gets a suggestion once every item passed. Among the grades,
what tells them apart is the cosmetic state and the battery:

| grade     | screen (worst allowed)       | body (worst allowed)       | battery      | parts                  |
|-----------|------------------------------|----------------------------|--------------|------------------------|
| premium   | flawless                     | flawless                   | >= its floor | original or certified  |
| excellent | flawless (no scratch)        | marks not visible at 20 cm | >= its floor | any                    |
| good      | marks not visible at 50 cm   | marks not visible at 50 cm | >= its floor | any                    |
| fair      | visible scratches, no crack  | visible scratches or dents | >= its floor | any                    |

The battery floors are the grade table's (data, `catalog.Grade.battery_floor`: 90, 85, 80, 80), passed
in; the cosmetic limits per grade code are this module's `COSMETIC_LIMITS`. The suggestion is the best
grade (lowest rank) whose every condition holds; a crack anywhere, or a battery below every floor,
suggests no grade (repair it, or send it to parts). A grade the table has and this module does not
know is never suggested. The seller may list the unit in the suggested grade or a lower one, never a
higher one (`grade_allowed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workshop.states import COSMETIC_RANK, Cosmetic

# grade code -> (worst screen, worst body) the grade allows.
COSMETIC_LIMITS: dict[str, tuple[str, str]] = {
    "premium": (Cosmetic.FLAWLESS, Cosmetic.FLAWLESS),
    "excellent": (Cosmetic.FLAWLESS, Cosmetic.NOT_AT_20CM),
    "good": (Cosmetic.NOT_AT_50CM, Cosmetic.NOT_AT_50CM),
    "fair": (Cosmetic.VISIBLE, Cosmetic.VISIBLE),
}
# Grades that promise original or manufacturer-certified parts only.
ORIGINAL_PARTS_ONLY = frozenset({"premium"})


@dataclass(frozen=True)
class GradeRow:
    """What the suggestion needs of one row of the grade table."""

    code: str
    rank: int
    battery_floor: int


@dataclass(frozen=True)
class Suggestion:
    """`grade`: the best grade the findings allow (None: none). `held_back`: what kept the next better
    grade away ("screen", "body", "battery", "parts"), empty when the best grade was reached."""

    grade: str | None
    held_back: tuple[str, ...] = ()


def _shortfalls(row: GradeRow, *, screen: str, body: str, battery_health: int, third_party_parts: bool) -> list[str]:
    worst_screen, worst_body = COSMETIC_LIMITS[row.code]
    shortfalls = []
    if COSMETIC_RANK[screen] > COSMETIC_RANK[worst_screen]:
        shortfalls.append("screen")
    if COSMETIC_RANK[body] > COSMETIC_RANK[worst_body]:
        shortfalls.append("body")
    if battery_health < row.battery_floor:
        shortfalls.append("battery")
    if third_party_parts and row.code in ORIGINAL_PARTS_ONLY:
        shortfalls.append("parts")
    return shortfalls


def grade_suggest(
    *, screen: str, body: str, battery_health: int, third_party_parts: bool, grades: Iterable[GradeRow]
) -> Suggestion:
    """The best grade the cosmetic findings, the battery health and the parts used allow.

    `screen`, `body`: `Cosmetic` values; `battery_health`: 0-100 (%); `third_party_parts`: a part that
    is neither original nor manufacturer-certified was fitted; `grades`: the grade table. Pure.
    """
    if screen not in COSMETIC_RANK or body not in COSMETIC_RANK:
        raise ValueError(f"unknown cosmetic finding: {screen!r}, {body!r}")
    known = sorted((row for row in grades if row.code in COSMETIC_LIMITS), key=lambda row: row.rank)
    held_back: tuple[str, ...] = ()
    for row in known:
        shortfalls = _shortfalls(
            row, screen=screen, body=body, battery_health=battery_health, third_party_parts=third_party_parts
        )
        if not shortfalls:
            return Suggestion(grade=row.code, held_back=held_back)
        held_back = tuple(shortfalls)
    return Suggestion(grade=None, held_back=held_back)


def grade_allowed(*, chosen_rank: int, suggested_rank: int) -> bool:
    """The seller may list in the suggested grade or a lower one (a higher rank number), never higher."""
    return chosen_rank >= suggested_rank
