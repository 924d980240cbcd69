"""Compile every .po catalogue to .mo with polib, so no GNU gettext is needed at install time."""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_files():
    """Every .po file of the project: LOCALE_PATHS and each project app's locale folder."""
    roots = [Path(p) for p in settings.LOCALE_PATHS]
    for cfg in apps.get_app_configs():
        path = Path(cfg.path)
        if path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts:
            roots.append(path / "locale")
    for root in roots:
        if root.is_dir():
            yield from sorted(root.glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po) into .mo files."

    def handle(self, *args, **options):
        count = 0
        for po_path in catalogue_files():
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        self.stdout.write(f"{count} catalogue(s) compiled.")
