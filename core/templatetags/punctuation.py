"""Punctuation in the reader's language (see core/punctuation.py): ``{% load punctuation %}``, then
``{% colon %}``, ``{% comma %}``, ``{% semicolon %}`` between pieces, and
``{% aside %}…{% endaside %}`` for a note in brackets after what it qualifies (write it straight
after that text: the English form brings its own space, the Chinese form none)."""

from django import template
from django.utils.safestring import mark_safe

from core import punctuation

register = template.Library()


@register.simple_tag
def colon():
    return punctuation.colon()


@register.simple_tag
def comma():
    return punctuation.comma()


@register.simple_tag
def semicolon():
    return punctuation.semicolon()


class AsideNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        # The rendered inside is already escaped by its template; the brackets come from the catalogue.
        return mark_safe(punctuation.bracketed(self.nodelist.render(context)))  # noqa: S308


@register.tag
def aside(parser, token):
    """``{% aside %}…{% endaside %}``: the rendered text in brackets, nothing when it is empty."""
    nodelist = parser.parse(("endaside",))
    parser.delete_first_token()
    return AsideNode(nodelist)
