"""Hooks a lower app offers to the apps above it, declared on their ``AppConfig``.

A lower app never names a higher one (the layers), yet some of its writes concern them: a
completed service is what a voucher pays for. The lower app calls ``run_hooks("name", ...)`` inside
its own transaction; each installed app that declares ``name = "dotted.path"`` on its AppConfig
has that function called, in ``INSTALLED_APPS`` order. A hook is a use case of its app (a service),
not a signal: it is called directly, in the same transaction, and its errors are the caller's.
"""

from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string


@cache
def _hooks(name: str) -> tuple:
    return tuple(import_string(dotted) for config in apps.get_app_configs() if (dotted := getattr(config, name, None)))


def run_hooks(name: str, **kwargs) -> list:
    """Call every installed app's ``name`` hook with ``kwargs``; returns their results."""
    return [hook(**kwargs) for hook in _hooks(name)]
