"""Punctuation between pieces of text, in the reader's language.

Chinese pages use full-width marks with no space around them (名称：值, 甲，乙；丙, 单位（简称）),
English pages ASCII marks followed by a space (name: value, a, b; c, unit (short name)). Templates
use the tags of ``{% load punctuation %}``; Python code building a label uses these functions.
"""

from django.utils.translation import pgettext


def colon() -> str:
    return pgettext("punctuation", ": ")


def comma() -> str:
    return pgettext("punctuation", ", ")


def semicolon() -> str:
    return pgettext("punctuation", "; ")


def bracketed(text: str) -> str:
    """A note in brackets after what it qualifies: " (note)" / "（note）"; "" for an empty note."""
    text = str(text).strip()
    if not text:
        return ""
    return pgettext("punctuation", " (%(note)s)") % {"note": text}


def aside(*notes) -> str:
    """The notes that are not empty, in brackets and separated by commas: " (a, b)" / "（a，b）"."""
    return bracketed(comma().join(str(note) for note in notes if note not in (None, "")))


def labelled(label, value) -> str:
    """A label and its value: "label: value" / "标签：值"."""
    return f"{label}{colon()}{value}"
