"""docs/webhooks.md says which event types are emitted today: the code agrees."""

from __future__ import annotations

import re
from pathlib import Path

from marketplace.models import EventType

ROOT = Path(__file__).resolve().parents[2]
APPS = ("catalog", "orders", "warranty", "sellers", "tradein", "partners")


def _table() -> dict[str, tuple[str, list[str]]]:
    rows = {}
    for line in (ROOT / "docs" / "webhooks.md").read_text().splitlines():
        match = re.match(r"\| `([a-z_.]+)` \| ([^|]+) \| ([^|]*) \|", line)
        if match:
            rows[match[1]] = (match[2].strip(), re.findall(r"`([a-z_/]+\.py)`", match[3]))
    return rows


def _emitters(constant: str) -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if re.search(rf"EventType\.{constant}\b", path.read_text()):
                found.add(str(path.relative_to(ROOT)))
    return found


def test_every_event_type_has_a_row_saying_whether_it_is_emitted_and_by_whom():
    table = _table()

    assert sorted(table) == sorted(EventType.values)
    for event_type in EventType:
        status, files = table[event_type.value]
        emitters = _emitters(event_type.name)
        if status == "emitted":
            assert emitters, f"{event_type.value} is documented as emitted, but no service emits it"
            assert set(files) <= emitters, (event_type.value, files, emitters)
        else:
            assert status == "declared, not emitted yet", status
            assert not emitters, f"{event_type.value} is emitted by {emitters}: update docs/webhooks.md"
