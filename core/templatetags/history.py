"""History rows in the reader's language: ``{% load history %}`` then ``{{ row|history_note }}``."""

from django import template

from core.transitions import history_note as note_for

register = template.Library()


@register.filter
def history_note(row):
    """The change reason of a django-simple-history row, translated (see core.transitions)."""
    model = getattr(row, "instance_type", None) or type(row)
    return note_for(model, getattr(row, "history_change_reason", ""))
