"""The floors of the house (docs/architecture.md): no file imports upwards, no import cycle, lazy imports included."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _checker():
    spec = importlib.util.spec_from_file_location("check_floors", ROOT / "scripts" / "check_floors.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_floors"] = module
    spec.loader.exec_module(module)
    return module


def test_the_projects_floors_are_clean():
    assert _checker().check() == []


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_lazy_upward_import_and_a_cycle_are_both_caught(tmp_path):
    _tree(
        tmp_path,
        {
            "marketplace/__init__.py": "",
            "catalog/__init__.py": "",
            "catalog/services.py": "def f():\n    from sellers.services import g  # lazy, still upward\n",
            "sellers/__init__.py": "",
            "sellers/services.py": "from sellers import tasks\n\ndef g():\n    pass\n",
            "sellers/tasks.py": "from sellers.services import g\n",
            "sellers/migrations/0001_initial.py": "from orders.models import X  # migrations are not checked\n",
        },
    )

    problems = _checker().check(tmp_path)

    assert len(problems) == 2
    assert "catalog.services (floor 1, catalog) imports sellers.services (floor 4, sellers)" in problems[0]
    assert problems[1].startswith("import cycle between sellers.services, sellers.tasks")


def test_relative_and_dynamic_imports_count(tmp_path):
    _tree(
        tmp_path,
        {
            "orders/__init__.py": "",
            "orders/a.py": "from . import b\n",
            "orders/b.py": "import importlib\n\nimportlib.import_module('orders.a')\n",
            "warranty/__init__.py": "",
            "warranty/models.py": "",
            "orders/c.py": "from warranty.models import Warranty\n",
        },
    )

    problems = _checker().check(tmp_path)

    assert any("orders.c (floor 2, orders) imports warranty.models (floor 3, warranty)" in p for p in problems)
    assert any(p.startswith("import cycle between orders.a, orders.b") for p in problems)
