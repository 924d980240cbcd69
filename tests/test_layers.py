"""An app never names or links an app above it (DESIGN.md), beyond what import-linter sees.

import-linter checks the imports. These tests check the rest: strings and templates (dotted
paths, template names, URL namespaces), and that import-linter's contract covers every app.
"""

import ast
import re
import tomllib
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
IMPORT_LINTER = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
LAYERS_CONTRACT = next(c for c in IMPORT_LINTER["contracts"] if c["type"] == "layers")
LAYERS = [name.strip("()") for name in LAYERS_CONTRACT["layers"]]  # highest first
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)


def project_apps() -> list[str]:
    return [
        c.name
        for c in apps.get_app_configs()
        if Path(c.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(c.path).parts
    ]


def below_the_top() -> list[tuple[str, list[str]]]:
    """Each existing app under platform_site with the layers above it."""
    return [(app, LAYERS[:i]) for i, app in enumerate(LAYERS) if i and (ROOT / app).is_dir()]


def python_words(path: Path) -> list[tuple[int, bool, str]]:
    """``(line, is_string, word)``: identifiers, module names and string literals of a module,
    without its comments and docstrings."""
    words = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            node.value.docstring = True  # a bare string statement: a docstring
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and not hasattr(node, "docstring"):
            words.append((node.lineno, True, node.value))
        elif isinstance(node, ast.Name):
            words.append((node.lineno, False, node.id))
        elif isinstance(node, ast.Attribute):
            words.append((node.lineno, False, node.attr))
        elif isinstance(node, ast.alias):
            words.append((node.lineno, False, node.name))
        elif isinstance(node, ast.ImportFrom) and node.module:
            words.append((node.lineno, False, node.module))
    return words


def template_text(path: Path) -> str:
    return TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))


def sources(folder: Path):
    python = [p for p in folder.rglob("*.py") if "migrations" not in p.parts]
    return python, sorted(folder.glob("templates/**/*.html")) + sorted(folder.glob("templates/**/*.txt"))


def upward_references(folder: Path, higher: list[str]) -> list[str]:
    """Where the code or templates in ``folder`` refer to one of the ``higher`` apps: an import,
    a dotted path (``bookings.filters``), a template name (``bookings/x.html``) or a URL name
    (``bookings:calendar``)."""
    in_text = re.compile(rf"\b({'|'.join(higher)})(:[\w-]|\.[a-z_]|/[\w-])")
    python, templates = sources(folder)
    found = []
    for path in python:
        for line, is_string, word in python_words(path):
            if in_text.search(word) if is_string else word.split(".")[0] in higher:
                found.append(f"{path.relative_to(folder.parent)}:{line}: {word!r}")
    for path in templates:
        found += [f"{path.relative_to(folder.parent)}: {m.group(0)!r}" for m in in_text.finditer(template_text(path))]
    return found


def test_the_contract_covers_every_app_of_the_project():
    """A new app must join import-linter's root_packages and its layer, or nothing checks it."""
    assert set(project_apps()) <= set(IMPORT_LINTER["root_packages"]) & set(LAYERS)
    assert LAYERS[0] == "platform_site" and LAYERS[-1] == "core"


@pytest.mark.parametrize(("app", "higher"), below_the_top(), ids=lambda v: v if isinstance(v, str) else "")
def test_no_app_refers_to_an_app_above_it(app, higher):
    found = upward_references(ROOT / app, higher)
    assert not found, f"{app} refers to apps above it:\n" + "\n".join(found)


HIGHER_THAN_MEMBERS = re.compile(r"\b(bookings|instruments)\b", re.I)


def test_members_names_no_instruments_or_bookings_in_its_code():
    python, _templates = sources(ROOT / "members")
    found = [
        f"{path.relative_to(ROOT)}:{line}: {word!r}"
        for path in python
        for line, _is_string, word in python_words(path)
        if HIGHER_THAN_MEMBERS.search(word)
    ]
    assert not found, "\n".join(found)


def test_members_templates_and_catalogue_name_no_instruments_or_bookings():
    _python, templates = sources(ROOT / "members")
    found = [str(p.relative_to(ROOT)) for p in templates if HIGHER_THAN_MEMBERS.search(template_text(p))]
    for po in (ROOT / "members" / "locale").glob("*/LC_MESSAGES/*.po"):
        found += [e.msgid for e in polib.pofile(str(po)) if HIGHER_THAN_MEMBERS.search(e.msgid + e.msgid_plural)]
    assert not found, found


@pytest.mark.parametrize(
    "violation",
    [
        'FILTERS = "bookings.filters.CatalogueFilter"',
        "from bookings import filters",
        "import bookings.models",
        'url = reverse("bookings:calendar")',
        'TEMPLATE = "bookings/instrument_detail.html"',
        '{% url "bookings:calendar" instrument.pk %}',
        "{% include 'bookings/panels/dashboard.html' %}",
    ],
)
def test_the_check_finds_each_kind_of_upward_reference(tmp_path, violation):
    """The scanner itself, on a module or a template holding one violation next to prose (a
    docstring, a template comment, a sentence) that only talks about bookings."""
    if violation.startswith("{%"):
        folder = tmp_path / "templates" / "lower"
        folder.mkdir(parents=True)
        text = "{# see bookings/x.html #}<p>Your bookings.</p>" + violation
        (folder / "page.html").write_text(text, encoding="utf-8")
    else:
        prose = '"""Talks about bookings.filters and bookings:calendar in prose."""\nNOTE = "no bookings"\n'
        (tmp_path / "m.py").write_text(prose + violation + "\n", encoding="utf-8")
    found = upward_references(tmp_path, ["bookings"])
    assert len(found) == 1, found
