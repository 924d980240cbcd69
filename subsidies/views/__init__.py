"""Pages of the subsidies app."""

from .evidence import evidence_file

__all__ = ["evidence_file"]
