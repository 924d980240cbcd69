"""Free-text search: Chinese and English, substring meaning, the same results on SQLite and
PostgreSQL over the demo catalogue, and PostgreSQL's indexes actually used."""

import pytest
from django.db import connection

from instruments import catalogue, search_limit
from instruments.filters import InstrumentFilter
from instruments.models import Instrument
from instruments.search import (
    TITLE_SEPARATOR,
    compact_model,
    han_grams,
    latin_grams,
    normalise,
    query_tokens,
    search_document_for,
    search_filter,
    token_grams,
    token_latin_grams,
)
from tests.instruments.catalogue_factories import demo_catalogue
from tests.instruments.factories import CategoryFactory, TopCategoryFactory


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_catalogue(django_db_blocker):
        yield


def search(query: str) -> list[Instrument]:
    """The catalogue's results for a query, in the catalogue's order (relevance)."""
    return list(InstrumentFilter({"search": query}, queryset=catalogue.instrument_list_public()).qs)


def oracle(query: str) -> list[Instrument]:
    """What the search must answer, computed in Python: every token is a substring of the
    document; more tokens in the title first, then newest."""
    tokens = query_tokens(query)
    rows = [i for i in Instrument.objects.public() if all(t in i.search_document for t in tokens)]

    def title_hits(i):
        title = i.search_document.split(TITLE_SEPARATOR)[0]
        return sum(1 for t in tokens if t in title)

    return sorted(rows, key=lambda i: (-title_hits(i), -i.created_at.timestamp(), -i.pk))


# --- the text ------------------------------------------------------------------------------------


def test_normalise_folds_width_case_and_spaces():
    assert normalise("  ＪＥＭ－２１００Ｆ\u3000透射电镜 \n") == "jem-2100f 透射电镜"


def test_document_puts_name_english_name_and_model_first(unit):
    category = CategoryFactory(code="0102", name="质谱仪器", name_en="Mass spectrometry")
    instrument = Instrument(
        unit=unit,
        category=category,
        name="液相色谱-质谱联用仪",
        name_en="LC-MS/MS",
        model="Xevo TQ-S",
        manufacturer="沃特世公司（Waters）",
        functions="农残检测",
        technical_indicators="扫描速度 20,000 Da/s",
        service_content="方法开发",
    )
    title, rest = search_document_for(instrument).split(TITLE_SEPARATOR)
    assert title == "液相色谱-质谱联用仪 lc-ms/ms xevo tq-s xevotqs"
    assert rest == (
        "沃特世公司(waters) 农残检测 扫描速度 20,000 da/s 方法开发"
        " 质谱仪器 mass spectrometry 分析仪器 analytical instruments 内蒙古科技大学 内蒙古科大"
    )


def test_a_main_class_instrument_names_only_its_own_class(unit):
    instrument = Instrument(unit=unit, category=TopCategoryFactory(), name="仪器", model="X1")
    title, rest = search_document_for(instrument).split(TITLE_SEPARATOR)
    assert title == "仪器 x1"  # the compact form is left out when it is the model itself
    assert rest == "分析仪器 analytical instruments 内蒙古科技大学 内蒙古科大"


@pytest.mark.parametrize(
    ("model", "compact"),
    [
        ("JEM-2100F", "jem2100f"),
        ("Xevo TQ-S micro", "xevotqsmicro"),
        ("ＪＥＭ－２１００Ｆ", "jem2100f"),
        ("6545 Q-TOF/MS (v2.0)", "6545qtofmsv20"),
        ("YSS_600", "yss600"),
        ("D8", ""),
        ("", ""),
        ("——", ""),
    ],
)
def test_the_compact_model_drops_spaces_and_punctuation(model, compact):
    assert compact_model(model) == compact


def test_grams_of_a_document_and_of_a_query():
    assert han_grams("x射线 质谱-仪") == {"射", "线", "射线", "质", "谱", "质谱", "仪"}
    assert token_grams("质") == {"质"}
    assert token_grams("色谱-质谱") == {"色谱", "质谱"}
    assert token_grams("jem-2100f") == set()


def test_tokens_are_split_on_any_space_and_deduplicated():
    assert query_tokens("质谱\u3000JEM  质谱 ") == ["质谱", "jem"]


# --- the same answers on both databases ---------------------------------------------------------

QUERIES = [
    "质谱",  # two Chinese characters inside 液相色谱-质谱联用仪
    "质",  # one character
    "2100",  # a model fragment
    "JEM-2100F",
    "ｊｅｍ",  # full-width
    "液相色谱-质谱联用仪",
    "岩石三轴",
    "YSS-600 长沙亚星",
    "thermo",
    "mass spectrometer",
    "x射线",
    "内蒙古科大 透射",  # the owner unit's short name and the name
    "稀土 icp",
    "农兽药残留",  # service content
    "分辨率 0.23 nm",  # technical indicators
    "no-such-instrument-anywhere",
    # Short Latin tokens, served by the Latin grams on PostgreSQL.
    "ms",
    "x",
    "F",
    "-2",
    "0.",
    "x射",
    "ms 质谱",
    "nm 2100",
    # Class names (in the rest of the document) and model spellings (issue 13).
    "质谱仪器",
    "分析仪器",
    "mass spectrometry",
    "mass spectrometry instruments",
    "electron optics",
    "jem2100",
    "JEM 2100",
    "jem-2100f",
    "jem2100f",
    "ＪＥＭ２１００",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_answers_what_substring_matching_says(demo, db, query):
    """Run on SQLite and on PostgreSQL: both must give exactly the oracle's rows, in its order."""
    assert [i.pk for i in search(query)] == [i.pk for i in oracle(query)]


@pytest.mark.parametrize("limit", [1, 4])
@pytest.mark.parametrize("query", QUERIES)
def test_a_limited_search_gives_the_first_results_of_the_whole_order(demo, db, monkeypatch, query, limit):
    """A search lists its first SEARCH_LIMIT results only, read from a few candidates per rank:
    they must be exactly the oracle's first ones, and the count must say whether there are more
    (queries with several ranks, many matches and none; both databases)."""
    monkeypatch.setattr(search_limit, "SEARCH_LIMIT", limit)
    assert_the_first_results_are_the_oracles(query, limit)


def assert_the_first_results_are_the_oracles(query: str, limit: int) -> None:
    """A search limited to ``limit`` lists the oracle's first ``limit`` rows and says whether
    there were more (``SEARCH_LIMIT`` already set to ``limit``)."""
    expected = [i.pk for i in oracle(query)]
    results = InstrumentFilter({"search": query}, queryset=catalogue.instrument_list_public()).qs
    paginator = search_limit.SearchPaginator(results, 50)
    assert [i.pk for i in paginator.page(1)] == expected[:limit]
    assert (paginator.count, paginator.more) == (min(len(expected), limit), len(expected) > limit)


def test_two_chinese_characters_find_the_lc_ms(demo, db):
    names = [i.name for i in search("质谱")]
    assert "液相色谱-质谱联用仪" in names
    assert "电感耦合等离子体质谱仪" in names
    # Name matches rank first: the instruments with 质谱 in their name open the list.
    in_title = [("质谱" in name) for name in names]
    assert in_title == sorted(in_title, reverse=True)


def test_a_model_fragment_finds_the_jem_2100f(demo, db):
    assert [(i.model, i.name) for i in search("2100")] == [("JEM-2100F", "透射电子显微镜")]
    assert [i.model for i in search("jem-2100f")] == ["JEM-2100F"]


def test_the_model_is_found_whatever_its_punctuation(demo, db):
    """jem2100 (no hyphen), JEM 2100 (two words), jem-2100f (as written) all find JEM-2100F."""
    for query in ["jem2100", "JEM 2100", "jem-2100f", "jem-2100", "jem2100f", "ＪＥＭ２１００Ｆ"]:
        assert "JEM-2100F" in [i.model for i in search(query)], query
    # The compact form is in the title: a model match ranks as a title match.
    assert search("jem2100")[0].search_rank == 1


def test_a_class_name_finds_the_instruments_of_that_class(demo, db):
    mass_spectrometry = {i.pk for i in Instrument.objects.public().filter(category__code="0102")}
    assert mass_spectrometry
    assert {i.pk for i in search("质谱仪器")} == mass_spectrometry
    assert mass_spectrometry <= {i.pk for i in search("mass spectrometry")}
    assert mass_spectrometry <= {i.pk for i in search("Mass Spectrometry instruments")}


def test_a_main_class_name_finds_the_instruments_of_its_subclasses(demo, db):
    analytical = {i.pk for i in Instrument.objects.public().filter(category__parent__code="01")}
    assert {i.pk for i in search("分析仪器")} >= analytical
    assert {i.pk for i in search("analytical instruments")} >= analytical
    assert {i.model for i in search("分析仪器")} >= {"JEM-2100F"}


def test_a_class_name_is_not_a_title_match(demo, db):
    assert {r.search_rank for r in search("质谱仪器")} == {0}


def test_english_words_and_maker_names_are_found(demo, db):
    assert "Xevo TQ-S micro" in [i.model for i in search("mass spectrometer")]
    assert "YSS-600" in [i.model for i in search("rock triaxial")]
    assert "YSS-600" in [i.model for i in search("长沙亚星")]


def test_every_word_must_match(demo, db):
    both = {i.pk for i in search("透射 jeol")}
    assert both == {i.pk for i in search("透射")} & {i.pk for i in search("jeol")}
    assert search("透射 no-such-word") == []


def test_relevance_puts_title_matches_before_other_fields(demo, db):
    """电子 is in the names of electron microscopes, and elsewhere in other records (the maker
    日本电子, indicators such as 电子束): the named ones come first, newest first among equals."""
    results = search("电子")
    ranks = [r.search_rank for r in results]
    assert set(ranks) == {0, 1}
    assert ranks == sorted(ranks, reverse=True)
    first_other = next(r for r in results if r.search_rank == 0)
    title, rest = first_other.search_document.split(TITLE_SEPARATOR)
    assert "电子" not in title and "电子" in rest
    titled = [r for r in results if r.search_rank == 1]
    assert [r.created_at for r in titled] == sorted((r.created_at for r in titled), reverse=True)


def test_only_public_instruments_are_searched(demo, db):
    lcms = Instrument.objects.get(name="液相色谱-质谱联用仪")
    Instrument.objects.filter(pk=lcms.pk).update(retired_at=lcms.created_at)
    assert "液相色谱-质谱联用仪" not in [i.name for i in search("质谱")]


def test_search_filter_without_words_changes_nothing(demo, db):
    queryset = Instrument.objects.public()
    assert search_filter(queryset, "   ") is queryset


# --- PostgreSQL: the indexes exist and the planner uses them ------------------------------------


def test_postgres_grams_function_matches_python(postgres):
    text = "液相色谱-质谱联用仪 jem-2100f x射线 𠀀字"
    with connection.cursor() as cursor:
        cursor.execute("SELECT instrument_han_grams(%s)", [normalise(text)])
        (grams,) = cursor.fetchone()
    assert set(grams) == han_grams(normalise(text))


def test_latin_grams_of_a_document_and_of_a_query():
    assert latin_grams("jem-2100f 透射x\nμm") == set("jem-210fxμ") | {
        "je",
        "em",
        "m-",
        "-2",
        "21",
        "10",
        "00",
        "0f",
        "μm",
    }
    assert token_latin_grams("ms") == {"ms"}
    assert token_latin_grams("x射") == {"x"}
    assert token_latin_grams("质谱") == set()
    assert token_latin_grams("jem") == set()  # three characters: the trigram index serves it


def test_postgres_latin_grams_function_matches_python(postgres):
    text = "液相色谱-质谱联用仪 Xevo TQ-S micro jem-2100f x射线 2θ ±0.5 ℃ 𠀀字"
    with connection.cursor() as cursor:
        cursor.execute("SELECT instrument_latin_grams(%s)", [search_document_for_text(text)])
        (grams,) = cursor.fetchone()
    assert set(grams) == latin_grams(search_document_for_text(text))


def search_document_for_text(text: str) -> str:
    """A document with a title and a rest, as the search stores it."""
    return normalise(text) + TITLE_SEPARATOR + normalise(text[::-1])


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("质谱", "instrument_search_han_grams"),
        ("质", "instrument_search_han_grams"),
        ("jem-2100", "instrument_search_trgm"),
        ("ms", "instrument_search_latin_grams"),
        ("x", "instrument_search_latin_grams"),
    ],
)
def test_postgres_search_uses_its_index(postgres, query, index):
    """With sequential scans priced out, the search's own SQL must be answerable from the index:
    proof that the query's expressions match the indexed ones."""
    queryset = search_filter(Instrument.objects.order_by(), query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert index in plan


@pytest.mark.parametrize("gram", ["质谱", "ms", "x"])
def test_postgres_month_windows_use_the_dated_index(postgres, gram):
    """A search's newest matches are read month by month through the dated gram index of
    migration 0011 (``search_limit._newest_by_month``): proof that the month keys asked for
    match the indexed expression."""
    newest = search_limit.newest_month(Instrument)
    window = search_limit.in_months(Instrument.objects.order_by(), gram, newest, 4)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = window.explain()
    assert "instrument_search_dated_grams" in plan, plan
