"""Every string of every page is translated: catalogues complete, and every marked string in them."""

import re
from pathlib import Path

import polib
import pytest

from members.management.commands.compile_translations import catalogue_files

ROOT = Path(__file__).resolve().parent.parent
SINGLE = [
    re.compile(r"""\{%\s*(?:translate|trans)\s+"((?:[^"\\]|\\.)*)"(?:\s+[^%]*)?%\}"""),
    re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext_lazy)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]"""),
]


def catalogues():
    return list(catalogue_files())


def all_msgids():
    ids = set()
    for path in catalogues():
        ids |= {entry.msgid for entry in polib.pofile(str(path))}
    return ids


def test_there_are_catalogues():
    assert any("members" in str(p) for p in catalogues())


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:10]}"


def source_files():
    for pattern in ("*/templates/**/*.html", "templates/**/*.html", "templates/**/*.txt", "*/*.py", "*/*/*.py"):
        for path in ROOT.glob(pattern):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {".venv", "tests", "migrations", "var", "bench", "node_modules"}:
                continue
            yield path


def test_every_marked_string_is_in_a_catalogue():
    known = all_msgids()
    missing = set()
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        for pattern in SINGLE:
            for match in pattern.finditer(text):
                msgid = match.group(1).encode().decode("unicode_escape") if "\\" in match.group(1) else match.group(1)
                if msgid not in known:
                    missing.add(f"{path.relative_to(ROOT)}: {msgid}")
    assert not missing, "strings missing from the catalogues (run make makemessages):\n" + "\n".join(sorted(missing))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "suffix", "other"), [("zh-hans", "：</label>", ":</label>"), ("en", ":</label>", "：</label>")]
)
def test_form_labels_end_with_the_pages_own_colon(client, language, suffix, other):
    """Chinese pages use full-width punctuation (仪器分类：), English ones ASCII (Class:)."""
    for path in ("/instruments/", "/signup/", "/accounts/login/"):
        html = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert html.count(suffix) >= 2, path
        assert other not in html, path
