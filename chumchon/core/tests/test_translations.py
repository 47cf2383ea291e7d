"""The Thai catalogue is complete and in step with the code. No database.

Thai is the default language and every msgid is English, so an untranslated string shows up in
English on a Thai page. `make messages` regenerates locale/th/LC_MESSAGES/django.po; translate
every new entry (no empty msgstr, no `#, fuzzy`), then `make test` compiles it.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
PO_PATH = ROOT / "locale" / "th" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# What `make messages` does not scan (see the Makefile), plus what is never source.
NOT_SOURCE = {".venv", "node_modules", "var", "static_root", "__pycache__"}
MAKEMESSAGES_IGNORES = [".venv", "node_modules", "var", "static_root"]

# %(name)s, %(size).1f, %(row)d, %(code)r ... (blocktrans turns {{ var }} into %(var)s).
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')


@dataclass
class PoEntry:
    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid or "")

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def _unquote(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


def parse_po(path: Path) -> list[PoEntry]:
    """The live entries of a .po file (header included, obsolete `#~` entries left out)."""
    entries: list[PoEntry] = []
    current: PoEntry | None = None
    target: tuple[str, int] | None = None  # (attribute, plural index)

    def start(line_no: int) -> PoEntry:
        nonlocal current, target
        if current is None or current.msgid is not None or current.obsolete:
            if current is not None and current.msgid is not None:
                entries.append(current)
            current = PoEntry(line=line_no)
            target = None
        return current

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current is not None and current.msgid is not None:
                entries.append(current)
            current, target = None, None
            continue
        if line.startswith("#~"):
            start(line_no).obsolete = True
            continue
        if line.startswith("#"):
            entry = start(line_no)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, text = match.groups()
            if keyword in ("msgctxt", "msgid"):
                entry = start(line_no)
                if keyword == "msgid":
                    entry.line = line_no
            else:
                assert current is not None, f"{path}:{line_no}: {keyword} before msgid"
                entry = current
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = _unquote(text)
            else:
                target = (keyword, 0)
                setattr(entry, keyword, _unquote(text))
            continue
        if line.startswith('"') and line.endswith('"') and current is not None and target:
            attribute, index = target
            if attribute == "msgstr":
                current.msgstr[index] += _unquote(line[1:-1])
            else:
                setattr(current, attribute, getattr(current, attribute) + _unquote(line[1:-1]))
            continue
        raise AssertionError(f"{path}:{line_no}: cannot parse {raw!r}")
    if current is not None and current.msgid is not None:
        entries.append(current)
    return [entry for entry in entries if not entry.obsolete]


def _catalogue() -> list[PoEntry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run `make messages` and translate it."
    return parse_po(PO_PATH)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _listing(entries: list[PoEntry] | list[str]) -> str:
    return "\n".join(f"  - {entry}" for entry in entries)


def test_every_thai_entry_is_translated():
    entries = _catalogue()
    assert len(entries) > 1, f"{PO_PATH} has no entries"
    fuzzy = [entry for entry in entries if "fuzzy" in entry.flags]
    untranslated = [entry for entry in entries if not entry.is_header and not entry.translated]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated:\n{_listing(untranslated)}")
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} marked fuzzy (check the translation, then remove `#, fuzzy`):\n"
            f"{_listing(fuzzy)}"
        )
    assert not problems, f"{_shown(PO_PATH)}:\n" + "\n".join(problems)


def test_thai_entries_keep_their_placeholders():
    wrong = []
    for entry in _catalogue():
        if entry.is_header or not entry.translated:
            continue
        singular = set(PLACEHOLDER.findall(entry.msgid or ""))
        plural = set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in entry.msgstr.values():
            found = set(PLACEHOLDER.findall(text))
            # Thai has one plural form: it must carry the plural's placeholders.
            expected_ok = (
                found == singular
                if entry.msgid_plural is None
                else (plural <= found <= singular | plural)
            )
            if not expected_ok:
                wrong.append(f"{entry}: {sorted(found)} in {text!r}")
    assert not wrong, "Translations must keep every %(name)s placeholder:\n" + _listing(wrong)


def test_thai_plural_forms_header():
    header = next(entry for entry in _catalogue() if entry.is_header)
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    for entry in _catalogue():
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0], f"{entry}: Thai has exactly one msgstr[0]"


def _copy_sources(destination: Path) -> None:
    """The repository minus what makemessages ignores, and without compiled catalogues."""
    ignore = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "*.mo", "*.egg-info")
    destination.mkdir()
    for item in ROOT.iterdir():
        if item.name.startswith(".") or item.name in NOT_SOURCE or item.name.endswith(".egg-info"):
            continue
        if item.is_dir():
            shutil.copytree(item, destination / item.name, ignore=ignore, symlinks=True)
        else:
            shutil.copy2(item, destination / item.name)


def test_source_strings_are_all_in_the_catalogue(tmp_path):
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.fail("GNU gettext is missing: run `make setup` (apt-get install gettext).")
    copy = tmp_path / "repo"
    _copy_sources(copy)
    (copy / "var").mkdir(exist_ok=True)
    # Run from the copy so that its config (BASE_DIR, LOCALE_PATHS) is the one imported: the
    # real catalogue is never written. The assert guards that.
    script = (
        "import os, django\n"
        "from pathlib import Path\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        "assert Path(settings.BASE_DIR).resolve() == Path.cwd().resolve(), settings.BASE_DIR\n"
        f"call_command('makemessages', locale=['th'], ignore_patterns={MAKEMESSAGES_IGNORES!r},"
        " no_obsolete=True, verbosity=0)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(copy),
        "CHUMCHON_VAR_DIR": str(copy / "var"),
    }
    env.pop("PYTHONSAFEPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    regenerated = parse_po(copy / "locale" / "th" / "LC_MESSAGES" / "django.po")
    committed = {entry.key: entry for entry in _catalogue()}
    missing = []
    for entry in regenerated:
        if entry.is_header:
            continue
        known = committed.get(entry.key)
        if known is None or not known.translated or "fuzzy" in known.flags:
            missing.append(
                entry.msgid if entry.msgctxt is None else f"[{entry.msgctxt}] {entry.msgid}"
            )
    assert not missing, (
        f"{len(missing)} source string(s) have no Thai translation in "
        f"{_shown(PO_PATH)}. Run `make messages`, translate the new entries "
        f"(no empty msgstr, no `#, fuzzy`), and commit the .po:\n"
        + _listing([repr(m) for m in missing])
    )


def _ensure_compiled() -> None:
    """setup.sh compiles the catalogue; compile here too if the .mo is missing or stale."""
    if MO_PATH.exists() and MO_PATH.stat().st_mtime >= PO_PATH.stat().st_mtime:
        return
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: run `make setup` (it installs gettext and compiles .po)."
    partial = MO_PATH.with_name(f"django.{os.getpid()}.mo.tmp")
    subprocess.run(
        [msgfmt, "--check-format", "-o", str(partial), str(PO_PATH)],
        check=True,
        capture_output=True,
    )
    partial.replace(MO_PATH)


def test_language_switch_renders_english():
    _ensure_compiled()
    log_in = "Log in"  # a variable: makemessages must not take this file as a source
    # Changing LOCALE_PATHS (to the same value) drops Django's cached catalogues.
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        with translation.override("en"):
            assert translation.gettext(log_in) == "Log in"
        with translation.override("th"):
            assert translation.gettext(log_in) == "เข้าสู่ระบบ"
        assert settings.LANGUAGE_CODE == "th"
