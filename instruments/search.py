"""The search document of an instrument: the text the catalogue's free-text search runs over.

Services call ``search_document_for`` whenever they write an instrument, so the denormalised
``Instrument.search_document`` always matches the record.
"""


def search_document_for(instrument) -> str:
    """Name, model, manufacturer, functions, indicators, service content and owner unit, lower-cased."""
    parts = [
        instrument.name,
        instrument.name_en,
        instrument.model,
        instrument.manufacturer,
        instrument.functions,
        instrument.technical_indicators,
        instrument.service_content,
        instrument.unit.name if instrument.unit_id else "",
        instrument.unit.short_name if instrument.unit_id else "",
    ]
    return " ".join(p for p in parts if p).lower()
