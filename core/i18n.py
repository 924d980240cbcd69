"""Names in the reader's language: records that keep a Chinese ``name`` and an English ``name_en``.

Chinese is the portal's default; an English page shows the English name where the record has one
and the Chinese name where it has none. Both names come with the row, so choosing costs no query.
"""

from django.utils import translation


def reads_english() -> bool:
    """Whether the active language is English (any ``en`` variant)."""
    return (translation.get_language() or "").lower().startswith("en")


def localized_name(obj, field: str = "name") -> str:
    """``obj.<field>_en`` on English pages when it is filled, else ``obj.<field>``; "" for None."""
    if obj is None:
        return ""
    if reads_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)
