"""Names inside stored report results, shown in the reader's language.

A run's result keeps the names as they were when it was computed, in Chinese: the official names
the bureau's exports carry. An English page shows the English name of each class ("0101 电子光学仪器"
→ "0101 Electron optics"), district, unit and instrument that has one, looked up when the page is
rendered: at most four queries for a page, whatever its rows. Exports keep the stored names.
"""

import re
from collections.abc import Iterable

from core.i18n import reads_english
from instruments.models import Category, Instrument
from members.models import District, Unit

CLASS_LABEL = re.compile(r"^(\d{2}(?:\d{2})?) (.+)$")


def english_names(texts: Iterable) -> dict[str, str]:
    """For an English reader, {stored text: English text} for the texts that name a class, a
    district, a unit or an instrument with an English name; {} for a Chinese reader."""
    if not reads_english():
        return {}
    texts = {text for text in texts if isinstance(text, str) and text}
    found: dict[str, str] = {}
    classes = {m.group(1): text for text in texts if (m := CLASS_LABEL.match(text))}
    if classes:
        rows = Category.objects.filter(code__in=classes).exclude(name_en="").values_list("code", "name_en")
        found.update({classes[code]: f"{code} {english}" for code, english in rows})
    names = texts - found.keys()
    for model in (District, Unit, Instrument):
        if not names:
            break
        for name, english in model.objects.filter(name__in=names).exclude(name_en="").values_list("name", "name_en"):
            found.setdefault(name, english)
        names -= found.keys()
    return found


def shown(texts: list, names: dict[str, str]) -> list:
    """The texts with the names of ``english_names`` replaced."""
    return [names.get(text, text) if isinstance(text, str) else text for text in texts]
