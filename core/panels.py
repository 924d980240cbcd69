"""Panels: one app's page shows fragments that the apps above it contribute, without naming them.

A panel is a function of the request (and of the page's object, a unit for instance) that returns
``(template_name, context)``, or ``None`` when it has nothing to show. ``platform_site`` collects
each installed app's panels (``platform_site/extensions.py``) and hands them to the page.
"""

from django.template.loader import render_to_string


def render_panels(panels, request, *args) -> list[str]:
    """The HTML of each panel that has something to show, in the given order."""
    rendered = []
    for panel in panels:
        result = panel(request, *args)
        if result is not None:
            template_name, context = result
            rendered.append(render_to_string(template_name, context, request=request))
    return rendered
