"""Messages stored untranslated and rendered in the reader's language (the notifications' text).

A message is a msgid (the English source of a ``gettext_lazy`` string with ``%(name)s``
placeholders) and its parameters as JSON. A parameter that is itself translatable (a status
label, an outage kind, a role: any lazy string) is stored as ``{"_msgid": "Approved"}`` and
translated when the message is rendered; a record's name given as ``Named`` keeps both its
names (``{"_names": ["内蒙古科技大学", "Inner Mongolia University of …"]}``) and shows the
reader's; numbers are localised then; anything else (a person's name, dates already formatted,
amounts) is stored as its text.
"""

from dataclasses import dataclass

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext, override

from core.i18n import localized_name

LAZY_MARK = "_msgid"
NAMES_MARK = "_names"


@dataclass(frozen=True)
class Named:
    """A record's Chinese and English names as a message parameter, shown in the reader's language."""

    name: str
    name_en: str = ""

    @classmethod
    def of(cls, record) -> "Named":
        return cls(record.name, getattr(record, "name_en", "") or "")

    def __str__(self) -> str:
        return localized_name(self)


def msgid_of(text) -> str:
    """The untranslated source of a lazy string (a plain string is taken as it is)."""
    if isinstance(text, Promise):
        with override(None):
            return str(text)
    return str(text)


def encode_params(params: dict | None) -> dict:
    """``params`` as JSON-ready values, translatable ones marked so they render in any language."""
    encoded = {}
    for key, value in (params or {}).items():
        if isinstance(value, Promise):
            encoded[key] = {LAZY_MARK: msgid_of(value)}
        elif isinstance(value, Named):
            encoded[key] = {NAMES_MARK: [value.name, value.name_en]}
        elif value is None or isinstance(value, (bool, int, float, str)):
            encoded[key] = value
        else:
            encoded[key] = str(value)
    return encoded


def _decode(value):
    if isinstance(value, dict) and LAZY_MARK in value:
        return gettext(value[LAZY_MARK])
    if isinstance(value, dict) and NAMES_MARK in value:
        return str(Named(*value[NAMES_MARK][:2]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return formats.localize(value)
    return value


def render_message(msgid: str, params: dict | None) -> str:
    """The message in the active language. ``params`` None means ``msgid`` is literal text (a
    message written before notifications were translatable), shown as it is."""
    if params is None or not msgid:
        return msgid
    values = {key: _decode(value) for key, value in params.items()}
    for template in (gettext(msgid), msgid):
        try:
            return template % values
        except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder
            continue
    return msgid
