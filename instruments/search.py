"""Free-text search over instruments, in Chinese or English, the same on SQLite and PostgreSQL.

Why this design
---------------
Chinese is written without spaces, so word-based full-text search (PostgreSQL's ``to_tsvector``)
sees 液相色谱-质谱联用仪 as one or two "words" and never finds 质谱 inside it. People also search
model fragments (2100 in JEM-2100F). So the meaning of a query is plain *substring* matching:

    the query is split on whitespace into tokens; an instrument matches when every token is a
    substring of its search document (both sides NFKC-normalised and lower-cased, so full-width
    ＪＥＭ and half-width jem, upper and lower case, are the same).

This meaning is exact and identical on every database; only its speed differs:

* **SQLite** (the embedded default, thousands of rows): ``LIKE '%token%'`` per token, a scan.
* **PostgreSQL** (designed for 100,000 instruments), migration 0004 adds two GIN indexes:

  1. ``pg_trgm``: ``gin_trgm_ops`` on ``search_document``. PostgreSQL answers ``LIKE '%token%'``
     from it for any token of three or more characters (Latin or Chinese). It cannot help
     shorter tokens: a trigram needs three characters.
  2. Han grams: an immutable SQL function ``instrument_han_grams(search_document)`` returns
     every Han character and every pair of adjacent Han characters of the document, and a GIN
     index over that array. A 1–2-character Chinese token is then looked up exactly
     (``grams @> '{质谱}'``); for longer Chinese tokens the grams of the token are a further
     necessary condition. Gram matching is *equivalent* to substring matching for a token made
     of one run of one or two Han characters, and *implied by* it otherwise, so adding it never
     changes the results; the ``LIKE`` stays in the query as the exact test. The index is an
     expression index, so nobody has to keep a second column in step: whatever writes
     ``search_document`` (services, imports, demo data) keeps the grams right.

  3. Latin grams (migration 0006): ``instrument_latin_grams(search_document)`` returns every
     character and every pair of adjacent characters of the document's *Latin runs* (maximal
     runs of characters that are neither Han nor space: letters, digits, signs such as ``-`` or
     ``μ``), with a GIN index over it. It serves the tokens shorter than three characters, which
     the trigram index cannot (``ms``, ``x``, ``2θ``). Such a token's Latin runs are one or two
     characters long, and each run lies, wherever the token occurs, inside one Latin run of the
     document, so it is one of the document's grams: ``grams @> (the token's runs)`` is implied
     by the substring match, and *equivalent* to it for a token made only of Latin characters.
     Like the Han grams it only narrows; the ``LIKE`` stays as the exact test. Longer tokens are
     left to the trigram index.

  4. Dated grams (migration 0011): ``instrument_dated_grams(search_document, created_at)`` is
     every gram of both kinds followed by ``|`` and the month of registration (``质谱|24322``),
     with a GIN index over it. It finds a word's matches of the newest months without reading the
     older ones, which is how a search picks its newest matches at any size of the registry
     (``search_limit._newest_by_month``).

What the document holds
-----------------------
The title: the Chinese name, the English name, the model and, when it differs, the model's
*compact form* (normalised, with every space and punctuation sign removed: ``jem-2100f`` is
followed by ``jem2100f``). The compact form is what makes ``jem2100`` find ``JEM-2100F``; the
query side is untouched: ``jem-2100`` is a substring of the original form, ``JEM 2100`` is two
tokens that are substrings of it. (A model stored without punctuation, ``JEM2100F``, is still
not found by ``jem-2100``: the punctuation a query adds cannot be guessed.) The rest: the
manufacturer, the functions, the indicators, the service content, the instrument's class and,
for a subclass, its main class (Chinese and English names: 质谱仪器 finds the instruments of
0102, 分析仪器 those of every subclass of 01), and the owner unit's name and short name. Every
part is joined to the next by a space, so no part runs into its neighbour.

The extra text changes none of the arguments above. They say that a document containing a token
contains the token's grams, and that holds for *any* document, because both gram functions are
computed from the stored document itself: adding words only adds substrings and grams together.
The compact form is one more Latin run (or a run with Han characters, for a Chinese model) in
the title, separated by spaces, and never holds the title separator.

Ranking: a match in the *title* (names, model, compact model) outranks a match elsewhere.
The document is stored as ``title + "\\n" + rest`` (normalisation turns every other whitespace
into single spaces), so "token is in the title" is ``0 < position(token) < position("\\n")``:
one ``StrIndex`` per token, computed only on matching rows, the same function on both
databases (``instr`` / ``strpos``). The score is the number of tokens found in the title; ties
go to the newest instrument.

Documents go stale when an owner unit is renamed: ``search_documents_refresh`` rebuilds them
(the members app is below this one and cannot call it; the nightly task does). A class renamed
through ``services.category_update`` rebuilds its instruments' documents at once. When what
goes into a document changes, a data migration rebuilds every document (see migration 0009).
"""

import re
import unicodedata

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, TextField, Value, When
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan, LessThan

# Han ideographs (CJK unified ideographs, extension A, compatibility, extensions B–F). The same
# ranges appear in the SQL function of migration 0004.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
# Runs of characters that are neither Han nor one of the document's spaces (see normalise and
# TITLE_SEPARATOR); the same class appears in the SQL function of migration 0006.
LATIN_RUN = re.compile(f"[^ \n{HAN_CLASS}]+")
SHORT_TOKEN_LENGTH = 2  # tokens this short have no trigram; the Latin grams serve them

TITLE_SEPARATOR = "\n"
MAX_TOKENS = 8
MAX_TOKEN_LENGTH = 60


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower case, whitespace runs to one space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(text.split())


# What a compact model keeps: letters and digits of any script (``\w`` without the underscore).
MODEL_PUNCTUATION = re.compile(r"[\W_]+")


def compact_model(model: str) -> str:
    """The normalised model without spaces and punctuation (``JEM-2100F`` → ``jem2100f``), so
    that ``jem2100`` finds it; empty when it is the same as the normalised model."""
    model = normalise(model)
    compact = MODEL_PUNCTUATION.sub("", model)
    return compact if compact != model else ""


def category_names(category) -> list[str]:
    """The class's Chinese and English names and, for a subclass, its main class's."""
    if category is None:
        return []
    parent = category.parent if category.parent_id else None
    names = [category.name, category.name_en]
    if parent is not None:
        names += [parent.name, parent.name_en]
    return names


def search_document_for(instrument) -> str:
    """The normalised text the search runs over: the title (name, English name, model and its
    compact form), a newline, then manufacturer, functions, indicators, service content, the
    instrument's class and main class, and the owner unit.

    Reads ``instrument.unit``, ``instrument.category`` and ``category.parent``: load them with
    ``select_related`` when building many documents."""
    unit = instrument.unit if instrument.unit_id else None
    category = instrument.category if instrument.category_id else None
    title = [instrument.name, instrument.name_en, instrument.model, compact_model(instrument.model)]
    rest = [
        instrument.manufacturer,
        instrument.functions,
        instrument.technical_indicators,
        instrument.service_content,
        *category_names(category),
        unit.name if unit else "",
        unit.short_name if unit else "",
    ]
    return normalise(" ".join(p for p in title if p)) + TITLE_SEPARATOR + normalise(" ".join(p for p in rest if p))


def search_documents_refresh(queryset) -> int:
    """Rebuild the documents of some instruments (e.g. after their owner unit or their class was
    renamed); only the documents that changed are written. Returns how many."""
    changed = []
    for instrument in queryset.select_related("unit", "category", "category__parent").iterator(chunk_size=500):
        document = search_document_for(instrument)
        if document != instrument.search_document:
            instrument.search_document = document
            changed.append(instrument)
    queryset.model.objects.bulk_update(changed, ["search_document"], batch_size=500)
    return len(changed)


def query_tokens(query: str) -> list[str]:
    """The whitespace-separated tokens of a query, normalised like the documents, de-duplicated."""
    tokens = []
    for token in normalise(query).split():
        token = token[:MAX_TOKEN_LENGTH]
        if token not in tokens:
            tokens.append(token)
    return tokens[:MAX_TOKENS]


def is_searched(query) -> bool:
    """Whether a query (None, blank or text) searches for anything."""
    return bool(query_tokens(query or ""))


def _run_grams(runs: re.Pattern, text: str) -> set[str]:
    """Every character and every pair of adjacent characters of the text's runs."""
    grams = set()
    for run in runs.findall(text):
        grams.update(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def han_grams(text: str) -> set[str]:
    """Every Han character and every pair of adjacent Han characters of the text."""
    return _run_grams(HAN_RUN, text)


def token_grams(token: str) -> set[str]:
    """The grams a document must contain to contain the token: bigrams of its Han runs (or the
    single character of a one-character run)."""
    grams = set()
    for run in HAN_RUN.findall(token):
        grams.update([run] if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    return grams


def latin_grams(text: str) -> set[str]:
    """Every character and every pair of adjacent characters of the text's Latin runs."""
    return _run_grams(LATIN_RUN, text)


def token_latin_grams(token: str) -> set[str]:
    """For a token of at most two characters, its Latin runs (grams a document containing the
    token must have); nothing for longer tokens, which the trigram index serves."""
    if len(token) > SHORT_TOKEN_LENGTH:
        return set()
    return set(LATIN_RUN.findall(token))


def _grams_expression(function: str):
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import Func

    return Func(F("search_document"), function=function, output_field=ArrayField(TextField()))


def search_filter(queryset, query: str):
    """Instruments whose document contains every token of the query, annotated with
    ``search_rank`` (tokens found in the title). An empty query returns the queryset unchanged."""
    tokens = query_tokens(query)
    if not tokens:
        return queryset
    condition = Q()
    for token in tokens:
        condition &= Q(search_document__contains=token)
    queryset = queryset.filter(condition)
    if connection.vendor == "postgresql":
        grams = set().union(*(token_grams(t) for t in tokens))
        if grams:
            queryset = queryset.alias(search_han_grams=_grams_expression("instrument_han_grams")).filter(
                search_han_grams__contains=sorted(grams)
            )
        latin = set().union(*(token_latin_grams(t) for t in tokens))
        if latin:
            queryset = queryset.alias(search_latin_grams=_grams_expression("instrument_latin_grams")).filter(
                search_latin_grams__contains=sorted(latin)
            )
    return queryset.annotate(search_rank=rank_expression(tokens))


def rank_expression(tokens):
    """Number of tokens whose first occurrence lies in the title part of the document."""
    separator = StrIndex(F("search_document"), Value(TITLE_SEPARATOR))
    score = Value(0)
    for token in tokens:
        position = StrIndex(F("search_document"), Value(token))
        in_title = Q(GreaterThan(position, 0)) & Q(LessThan(position, separator))
        score = score + Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField())
    return score
