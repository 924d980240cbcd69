"""Messages stored untranslated and rendered in the reader's language (the notifications' text).

A message is a msgid (the English source of a ``gettext_lazy`` string with ``%(name)s``
placeholders) and its parameters as JSON. A parameter that is itself translatable (a status
label, an outage kind, a role: any lazy string) is stored as ``{"_msgid": "Approved"}`` and
translated when the message is rendered; numbers are localised then; anything else (names,
dates already formatted, amounts) is stored as its text.
"""

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext, override

LAZY_MARK = "_msgid"


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
        elif value is None or isinstance(value, (bool, int, float, str)):
            encoded[key] = value
        else:
            encoded[key] = str(value)
    return encoded


def _decode(value):
    if isinstance(value, dict) and LAZY_MARK in value:
        return gettext(value[LAZY_MARK])
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
