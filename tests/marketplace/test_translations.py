"""Every string of the product is translated in every language Encore ships.

The project is copied to a temporary directory, `makemessages` (the same command and ignores as
`make messages`) brings them up to date with the code and templates there, and `msgfmt` counts what is
left: a template string, a model label or an e-mail line added without its translations fails here,
naming the language and the strings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
IGNORES = (".venv/*", "var/*", "tests/*", "bench/*", "deploy/*")  # as the Makefile's `messages` target
SHIPPED = [code for code, _name in settings.LANGUAGES if code != "en"]

pytestmark = pytest.mark.xdist_group("translations")


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's sources and catalogs copied, and `makemessages` run on the copy (never on the tree)."""
    copy = tmp_path_factory.mktemp("i18n") / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", ".mypy_cache", ".hypothesis", "var", "test-artifacts", "*.mo", "__pycache__"
        ),
    )
    env = {**os.environ, "DJANGO_SECRET_KEY": "translations-check"}
    command = [sys.executable, "manage.py", "makemessages", "--add-location", "file"]
    command += [arg for language in SHIPPED for arg in ("-l", language)]
    command += [arg for pattern in IGNORES for arg in ("--ignore", pattern)]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    return copy / "locale"


def _gettext_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run one of GNU gettext's tools (msgfmt, msgattrib), which `makemessages` needs anyway."""
    return subprocess.run(list(args), capture_output=True, text=True, check=False)  # noqa: S603


def _entries(po: Path) -> list[tuple[list[str], str]]:
    """(flags, msgid) of every entry but the header and obsolete ones: a small reader, enough to name them."""
    entries: list[tuple[list[str], str]] = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        flags = [flag.strip() for line in lines if line.startswith("#,") for flag in line[2:].split(",")]
        msgid_lines: list[str] = []
        reading = False
        for line in lines:
            if line.startswith("msgid "):
                reading = True
                msgid_lines.append(line[6:])
            elif reading and line.startswith('"'):
                msgid_lines.append(line)
            elif reading:
                break
        msgid = "".join(part.strip()[1:-1] for part in msgid_lines)
        if msgid:
            entries.append((flags, msgid))
    return entries


def _untranslated(po: Path, tmp_path: Path) -> list[str]:
    """The msgids gettext would not translate: entries with an empty msgstr, and fuzzy ones."""
    missing: list[str] = []
    for option, name in (("--untranslated", "untranslated.po"), ("--only-fuzzy", "fuzzy.po")):
        out = tmp_path / name
        result = _gettext_tool("msgattrib", option, "--no-obsolete", "-o", str(out), str(po))
        assert result.returncode == 0, result.stderr
        if out.exists():
            missing += [msgid for _flags, msgid in _entries(out)]
    return missing


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_is_translated(catalogs: Path, language: str, tmp_path: Path) -> None:
    po = catalogs / language / "LC_MESSAGES" / "django.po"

    missing = _untranslated(po, tmp_path)

    assert not missing, (
        f"{len(missing)} string(s) without a {language} translation (run `make messages` and fill "
        f"locale/{language}/LC_MESSAGES/django.po): {missing[:20]}"
    )


@pytest.mark.parametrize("language", SHIPPED)
def test_every_catalog_compiles_with_its_placeholders(language: str) -> None:
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"

    result = _gettext_tool("msgfmt", "--check-format", "-o", "/dev/null", str(po))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", SHIPPED)
def test_the_committed_mo_file_is_compiled_from_the_po(language: str, tmp_path: Path) -> None:
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    assert _gettext_tool("msgfmt", "-o", str(compiled), str(folder / "django.po")).returncode == 0

    assert compiled.read_bytes() == (folder / "django.mo").read_bytes(), "run `make messages` and commit the .mo"
