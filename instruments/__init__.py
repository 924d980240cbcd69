"""Instrument classification, instrument records, the public catalogue and bulk import."""
