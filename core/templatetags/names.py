"""Names of records in the reader's language: ``{% load names %}`` then ``{{ instrument|both_names }}``."""

from django import template
from django.utils.html import format_html

from core.i18n import localized_name, reads_english

register = template.Library()


@register.filter
def both_names(obj):
    """The name in the reader's language and, on English pages where the record has an English
    name, the Chinese name beside it (marked as Chinese for screen readers); "" for None."""
    if obj is None:
        return ""
    shown = localized_name(obj)
    if reads_english() and getattr(obj, "name_en", "") and obj.name != shown:
        return format_html('{} <span class="other-name" lang="zh-Hans">{}</span>', shown, obj.name)
    return shown
