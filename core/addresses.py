"""Postal addresses: stored as area parts (province, city, district) and a street, shown once.

``compose_address`` is the one function that turns the parts into the line people read; it never
repeats an area the street already begins with, so a record that still carries an old doubled
street ("包头市昆都仑区示范路1号" under 包头市 / 昆都仑区) is shown once too. ``strip_area_prefix``
takes such a leading repeat off a street (the instrument services and the data migrations use it).
"""

import re

# Left between the area names and the street when they were typed with separators.
SEPARATORS = " \t\u3000,，、;；:：-—/"
# An area name ahead of a district in a typed address: a province (省, 自治区) and a city (市).
PROVINCE_PATTERN = r"[^\d\s,，、;；]{2,12}?(?:省|自治区)"
CITY_PATTERN = r"[^\d\s,，、;；]{1,12}?市"


def strip_area_prefix(street: str, names, *, district: str = "") -> str:
    """The street without a leading repeat of the given area names (in any order, each as often
    as it is repeated), nor of "<province><city><district>" when ``district`` is given and follows
    a typed province or city name: "包头市昆都仑区示范路1号" → "示范路1号" for district 昆都仑区.

    A street that is nothing but area names becomes empty: the names are kept in their own fields.
    """
    text = (street or "").strip()
    names = [n.strip() for n in names if n and n.strip()]
    pattern = None
    if district:
        pattern = re.compile(rf"^(?:{PROVINCE_PATTERN})?(?:{CITY_PATTERN})?{re.escape(district.strip())}")
    changed = True
    while changed and text:
        changed = False
        for name in names:
            if text.startswith(name):
                text = text[len(name) :].lstrip(SEPARATORS)
                changed = True
        if pattern is not None and (match := pattern.match(text)):
            text = text[match.end() :].lstrip(SEPARATORS)
            changed = True
    return text


def compose_address(areas, street: str = "") -> str:
    """One line: the filled area parts (broadest first, each once), then the street without a
    leading repeat of them. Chinese parts are written together, as on an envelope; a space is
    kept only between two Latin letters or digits ("Baotou Kundulun District")."""
    parts = []
    for area in areas:
        area = (area or "").strip()
        if area and area not in parts:
            parts.append(area)
    street = strip_area_prefix(street, parts) if parts else (street or "").strip()
    if street:
        parts.append(street)
    line = ""
    for part in parts:
        if line and line[-1].isascii() and line[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            line += " "
        line += part
    return line
