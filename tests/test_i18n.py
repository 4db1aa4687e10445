"""The interface in Arabic, Russian and French: catalogs, the AST scan, plurals, dates, pages, isolation, exports."""

from __future__ import annotations

import ast
import io
import json
import re
from pathlib import Path

import pytest

from basewatch import i18n
from basewatch.i18n import LANGUAGES, ngettext, use
from basewatch.state.pages import PAGES
from tests.conftest import BUNDLED, MINI, ROOT
from tests.test_pages import open_share_box, run_page


@pytest.fixture(autouse=True)
def _speak_english_after_each_test():
    """A test that sets this thread's language must not leave it to the next test in the same worker."""
    yield
    i18n.set_language("en")


# ----------------------------------------------------------------------------- catalogs


def test_every_message_and_vocabulary_name_is_translated_and_compiled():
    from tools.translations import problems

    assert problems() == []


def test_the_catalog_check_notices_a_missing_translation(monkeypatch):
    """The check above can fail: a message the code shows but no catalog has is reported."""
    from babel.messages.catalog import Catalog

    from tools import translations

    original = translations.template

    def with_a_new_message() -> Catalog:
        catalog = original()
        catalog.add("A sentence nobody translated yet")
        return catalog

    monkeypatch.setattr(translations, "template", with_a_new_message)
    found = translations.problems()
    assert {f"{lang}: missing 'A sentence nobody translated yet'" for lang in ("ar", "ru", "fr")} <= set(found)


# ----------------------------------------------------------------------------- the AST scan

SCANNED = [*sorted((ROOT / "basewatch" / "shell").glob("*.py")), *sorted((ROOT / "pages").glob("*.py")),
           *sorted((ROOT / "basewatch" / "views").rglob("*.py")), ROOT / "basewatch" / "state" / "filters.py"]
# Calls whose first argument is reader-visible text (Streamlit elements, column headers, chart parts).
TEXT_CALLS = {"title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success",
              "metric", "button", "download_button", "page_link", "expander", "selectbox", "multiselect",
              "text_input", "number_input", "date_input", "toggle", "checkbox", "radio", "tabs", "TextColumn",
              "NumberColumn", "LinkColumn", "CheckboxColumn", "FeatureGroup", "TitleParams", "set_page_config"}
# Keyword arguments that are reader-visible text wherever they appear.
TEXT_KEYWORDS = {"label", "help", "placeholder", "title", "page_title", "name", "title_cancel"}
TRANSLATORS = {"_", "ngettext", "pgettext", "N_"}
# What may stay literal, each with its reason.
ALLOWED = {
    r"https?://(?:www\.)?([^/]+)": "LinkColumn's display_text is a pattern that shows each link's host, not words",
    "Caption": "folium layer name with control=False: never shown (it only carries the map PNG's caption)",
}
# What Streamlit draws itself and no app can translate (documented, not scanned): the date picker's calendar
# (month and weekday names; streamlit/streamlit#12699, #7865), the dataframe toolbar (search, download,
# fullscreen) and its column menu, "Press Enter to apply" under text inputs, the multiselect's
# "No results" and the sidebar's collapse control; the share box's copy button tooltip.
STREAMLIT_OWN = ("date picker calendar", "dataframe toolbar and column menu", "Press Enter to apply",
                 "multiselect 'No results'", "sidebar collapse control", "code block copy button")


def _words(node: ast.AST) -> list[str]:
    """Literal text with letters in `node` that no translation call wraps."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATORS:
        return []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _words(node.func.value)  # the arguments of .format are data
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if re.search(r"[A-Za-z]{2,}", node.value) and node.value not in ALLOWED else []
    if isinstance(node, ast.JoinedStr):
        return [w for part in node.values for w in _words(part.value if isinstance(part, ast.FormattedValue) else part)]
    if isinstance(node, ast.BinOp):
        return _words(node.left) + _words(node.right)
    if isinstance(node, ast.IfExp):
        return _words(node.body) + _words(node.orelse)
    return []


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) of every reader-visible literal that bypasses the translation layer, and every
    translation call inside an f-string (Python 3.11's extractor cannot see it, so it would never be translated)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in TRANSLATORS:
                    found.append((sub.lineno, "translation call inside an f-string: " + ast.unparse(sub)))
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in TRANSLATORS:
            if node.args and not isinstance(node.args[0], ast.Constant):
                found.append((node.lineno, "translation of a non-literal: " + ast.unparse(node)[:80]))
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in ("selection_point", "selection_interval"):
            continue  # their `name` is the selection's identifier in the spec, never shown
        candidates = [node.args[0]] if name in TEXT_CALLS and node.args else []
        candidates += [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        found += [(node.lineno, word) for candidate in candidates for word in _words(candidate)]
    return found


# Translation calls on a variable: the message is marked where it is defined (N_ in a table or registry).
MARKED_ELSEWHERE = re.compile(r"translation of a non-literal: _\((self\.\w+|template|header|text|COLUMN_HELP\[c\]|OPTION_NAMES\[[ok]\]|"
                              r"QUALIFIER_TEMPLATES\[.*|APP_TAGLINE|config\.APP_TAGLINE|\{.*\}\[dim\]\[value\])\)")


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_visible_string_bypasses_the_translation_layer(path: Path):
    found = [(line, text) for line, text in untranslated(path.read_text(encoding="utf-8"))
             if not MARKED_ELSEWHERE.match(text)]
    assert found == [], f"{path.relative_to(ROOT)}: wrap these in _() / ngettext() (or N_ where defined): {found}"


def test_the_scan_finds_a_planted_bypass():
    planted = ('st.title("Map")\nst.button(_("Reset"))\ncol.metric(f"Events in view {n}", 1)\n'
               'alt.Tooltip("x:N", title="Source")\nst.caption(f"{_(\'Hidden\')}")\nst.info(_(f"{x}"))\n')
    lines = [line for line, _text in untranslated(planted)]
    assert lines == [1, 3, 4, 5, 6], untranslated(planted)


# ----------------------------------------------------------------------------- plurals, dates, numbers

EVENTS = ("{count} event. Click a column header to sort, a row to select the event (its details appear above the "
          "table); the Link column opens it on the map.",
          "{count} events. Click a column header to sort, a row to select the event (its details appear above the "
          "table); the Link column opens it on the map.")


def test_arabic_has_six_plural_forms_and_russian_three():
    with use("ar"):
        arabic = [ngettext(*EVENTS, n) for n in (0, 1, 2, 3, 11, 100)]
    assert len(set(arabic)) == 6, arabic
    with use("ru"):
        russian = [ngettext(*EVENTS, n) for n in (1, 2, 5, 21)]
    assert len(set(russian)) == 3 and russian[0] == russian[3], russian
    with use("fr"):
        assert ngettext(*EVENTS, 1) != ngettext(*EVENTS, 2)


def test_dates_speak_the_language_at_their_precision():
    from basewatch.text import date_label, long_date, number

    expected = {
        "en": ("8 Dec 2024", "Dec 2024", "8 December 2024", "12,345"),
        "ru": ("8 дек. 2024", "дек. 2024", "8 декабря 2024", "12\xa0345"),
        "fr": ("8 déc. 2024", "déc. 2024", "8 décembre 2024", "12\u202f345"),
        "ar": ("8 ديسمبر 2024", "ديسمبر 2024", "8 ديسمبر 2024", "12,345"),
    }
    for lang, (day, month, long, figure) in expected.items():
        with use(lang):
            assert (date_label("2024-12-08"), date_label("2024-12-08", "month"), long_date("2024-12-08"),
                    number(12345)) == (day, month, long, figure), lang
            assert date_label("1971-01-01", "year") == "1971"


def test_vocabulary_names_are_translated_in_the_catalog_label():
    from basewatch.state.catalog import label

    with use("ar"):
        # The glossary's words (docs/translation-glossary.md): not مزعوم, which would tell a reader "false".
        assert label("status", "claimed") == "بحسب طرف معنيّ" and label("country", "sy") == "سوريا"
    with use("ru"):
        assert label("actor", "russia") == "Россия" and label("status", "denied") == "отрицается"
    with use("fr"):
        assert label("status", "denied") == "démenti" and label("page", "data") == "Données et sources"
    assert label("status", "claimed") == "claimed"


def test_chart_specs_carry_the_locale_with_arabic_month_names_and_latin_digits():
    import vl_convert

    from basewatch.loading.dataset import load_dataset
    from basewatch.views.charts import timeline
    from basewatch.views.charts.common import localized

    events = load_dataset(BUNDLED).events
    recent = events[(events["date"] >= "2024-11-01") & (events["date"] <= "2025-03-31")]
    with use("ar"):
        spec = localized(timeline.timeline_chart(recent).to_dict(validate=False))
    assert spec["config"]["locale"]["time"]["months"][0] == "يناير"
    svg = vl_convert.vegalite_to_svg(spec)
    assert re.search("يناير|فبراير|مارس|ديسمبر", svg) and "2025" in svg  # Arabic months, Latin digits
    assert "config" not in localized({"mark": "bar"}, "en")


# ----------------------------------------------------------------------------- pages in every language

# English and Arabic (the right-to-left one) in the quick run; French and Russian in make test and CI.
@pytest.mark.parametrize("lang", [pytest.param(lang, marks=pytest.mark.slow) if lang not in ("en", "ar") else lang
                                  for lang in LANGUAGES])
@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_every_page_renders_in_every_language(page, lang, monkeypatch):
    at = run_page(page.script, {"lang": lang, "actor": "russia", "site": "hmeimim"}, monkeypatch=monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.warning
    with use(lang):
        from basewatch.state.catalog import label

        assert label("page", page.key) in [link.proto.label for link in at.get("page_link")]
    css = " ".join(h.proto.body for h in at.get("html"))
    assert ("direction:rtl" in css) == (lang == "ar")
    assert "bidi-override" not in css


def test_the_same_view_lists_the_same_events_in_every_language(monkeypatch):
    ids = {}
    for lang in LANGUAGES:
        at = run_page("pages/timeline.py", {"lang": lang, "actor": "russia", "from": "2024-12-01"},
                      monkeypatch=monkeypatch)
        table = next(d for d in at.dataframe if "id" in d.value.columns)
        ids[lang] = list(table.value["id"])
    assert ids["en"] and all(found == ids["en"] for found in ids.values()), ids


def test_the_language_picker_changes_only_lang_and_names_each_language_in_itself(monkeypatch):
    at = run_page("pages/map.py", {"lang": "ru", "actor": "russia", "from": "2024-12-01"}, monkeypatch=monkeypatch)
    nav = next(h.proto.body for h in at.sidebar.get("html") if "bw-langs" in h.proto.body)
    links = re.findall(r'<a href="([^"]+)" target="_self" lang="(\w+)"[^>]*>([^<]+)</a>', nav)
    assert [(lang, name) for _href, lang, name in links] == list(LANGUAGES.items())
    for href, lang, _name in links:
        expected = "map?actor=russia&from=2024-12-01" + ("" if lang == "en" else f"&lang={lang}")
        assert href.replace("&amp;", "&") == expected
    assert 'aria-current="true"' in nav.split("Русский")[0].rsplit("<a ", 1)[1]
    assert any("in English" not in c.value and "на английском" in c.value for c in at.sidebar.caption)


def test_share_box_and_page_links_keep_the_language(monkeypatch):
    at = open_share_box(run_page("pages/map.py", {"lang": "ar", "actor": "russia"}, monkeypatch=monkeypatch))
    assert all(link.proto.query_string == "actor=russia&lang=ar" for link in at.get("page_link"))
    assert "lang=ar" in at.code[0].value and "lang=ar" in at.code[1].value and "lang=ar" in at.code[2].value


def test_junk_in_a_link_gets_a_notice_in_the_links_language(monkeypatch):
    at = run_page("pages/map.py", {"lang": "fr", "actor": "martians"}, monkeypatch=monkeypatch)
    assert "valeur(s) inconnue(s) de `actor` ignorée(s)" in at.warning[0].value and "martians" in at.warning[0].value
    junk = run_page("pages/map.py", {"lang": "xx"}, monkeypatch=monkeypatch)
    assert "lang=xx" in junk.warning[0].value and junk.query_params == {}


def test_summaries_stay_english_and_say_so(monkeypatch):
    at = run_page("pages/map.py", {"lang": "ar", "event": "ev-0006"}, data_dir=MINI, monkeypatch=monkeypatch)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert '<p lang="en" dir="ltr">' in html
    english = run_page("pages/map.py", {"event": "ev-0006"}, data_dir=MINI, monkeypatch=monkeypatch)
    assert '<p lang="en"' not in " ".join(h.proto.body for h in english.get("html"))


def test_site_names_in_every_language_are_each_isolated(monkeypatch):
    at = run_page("pages/sites.py", {"site": "tartus"}, data_dir=MINI, monkeypatch=monkeypatch)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert '<span lang="ar">العربية</span>: <bdi lang="ar" dir="rtl">طرطوس</bdi>' in html
    assert '<span lang="en">English</span>: <bdi lang="en" dir="ltr">' in html


def test_direction_controls_in_hostile_text_stay_inside_their_field(tmp_path, monkeypatch):
    from tests.hostile import make_hostile_dataset

    folder = make_hostile_dataset(tmp_path / "hostile")
    features = json.loads((folder / "bases.geojson").read_text(encoding="utf-8"))["features"]
    site = next(f["properties"]["id"] for f in features if "\u202e" in json.dumps(f["properties"], ensure_ascii=False))
    at = run_page("pages/sites.py", {"site": site, "lang": "ar"}, data_dir=folder, monkeypatch=monkeypatch)
    assert not at.exception
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "\u202e" in html
    # Every U+202E sits inside a <bdi> that closes after it: the override cannot reach the next field.
    for match in re.finditer("\u202e", html):
        before, after = html[:match.start()], html[match.end():]
        assert before.rfind("<bdi") > before.rfind("</bdi>"), html[match.start() - 80:match.end() + 40]
        assert after.find("</bdi>") != -1


# ----------------------------------------------------------------------------- exports


def test_arabic_export_captions_are_right_aligned_and_isolated():
    from PIL import Image

    from basewatch.views import exports

    spec = {"data": {"values": [{"a": 1}, {"a": 2}]}, "mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    title = "قاعدة حميميم الجوية منذ 2015 (ev-0042)"
    svg = exports.chart_image(spec, "svg", title, "جملة", "2026-02-21+abc1234", "https://example.org/map?lang=ar",
                              lang="ar").decode()
    assert 'text-anchor="end" font-family="Noto Sans Arabic, ' in svg and f"\u2067{title}\u2069" in svg
    assert "\u2066https://example.org/map?lang=ar\u2069" in svg
    assert 'text-anchor="start"' in exports.chart_image(spec, "svg", "Title", "", "v", "", lang="en").decode()
    png = Image.open(io.BytesIO(exports.chart_image(spec, "png", title, "", "v", "", lang="ar"))).convert("L")
    width = png.size[0]
    title_band = png.crop((0, 0, width, int(40 * 2)))  # the title's line at scale 2
    ink = [x for x in range(width) if min(title_band.getpixel((x, y)) for y in range(title_band.size[1])) < 128]
    assert ink and min(ink) > width * 0.4 and max(ink) > width * 0.9, (min(ink), max(ink), width)
    assert exports.register_fonts() == [str(exports.ARABIC_FONT_DIRS[0])]


# ----------------------------------------------------------------------------- site names and the validator


def test_site_names_in_french_and_their_sources_are_validated(tmp_path):
    import shutil

    from basewatch.__main__ import validate
    from basewatch.loading.dataset import DataError, load_dataset

    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    assert validate(folder) == 0 and validate(folder, languages=True) == 1  # old folders keep validating
    doc = json.loads((folder / "bases.geojson").read_text(encoding="utf-8"))
    for feature in doc["features"]:
        props = feature["properties"]
        props.update(name_ar=props["name_ar"] or "اسم", name_ru=props["name_ru"] or "имя", name_fr=props["name"],
                     name_sources={lang: "https://example.org/names" for lang in ("ar", "ru", "fr")})
    (folder / "bases.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert validate(folder, languages=True) == 0
    doc["features"][0]["properties"]["name_sources"] = {"fr": "javascript:alert(1)"}
    (folder / "bases.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_dataset(folder)
    assert any(p.column == "fr" or "name_sources" in str(p) for p in error.value.problems), error.value.report()


def test_the_direction_of_each_language():
    assert [i18n.direction(lang) for lang in LANGUAGES] == ["ltr", "rtl", "ltr", "ltr"]


def test_a_fragment_rerun_keeps_the_language(monkeypatch):
    """The map and its panel rerun alone (a fragment) when the reader clicks: they still speak the link's language."""
    from basewatch import i18n as language
    from basewatch.shell import session

    at = run_page("pages/map.py", {"lang": "ar"}, data_dir=MINI, monkeypatch=monkeypatch)
    assert any("انقر" in i.value for i in at.info)
    language.set_language("en")  # a fragment's rerun starts without the page's setup
    monkeypatch.setattr(session.st, "session_state", at.session_state)
    assert session.current().lang == "ar" and language.language() == "ar"


def test_a_language_link_is_the_link_builders_link_with_only_lang_changed():
    from basewatch.state.filters import Filters
    from basewatch.state.links import Link, link
    from basewatch.state.urlstate import ViewState

    state = ViewState(filters=Filters(actors=frozenset({"russia"})), site="hmeimim", radius_km=800, lang="ru")
    for lang in LANGUAGES:
        built = link("map", state.changed(lang=lang))
        params = {k: v for k, v in link("map", state).params.items() if k != "lang"}
        by_hand = Link(built.page, {**params, **({"lang": [lang]} if lang != "en" else {})})
        assert by_hand.href == built.href


def test_a_sites_personnel_series_is_named_in_the_readers_language(monkeypatch):
    # The Arabic profile of Hmeimim named its personnel series "Hmeimim Air Base" inside an Arabic chart.
    at = run_page("pages/sites.py", {"site": "hmeimim", "lang": "ar"}, data_dir=BUNDLED, monkeypatch=monkeypatch)
    names = set()
    for chart in at.get("vega_lite_chart"):
        for layer in json.loads(chart.proto.spec).get("layer", []):
            color = layer.get("encoding", {}).get("color", {})
            if color.get("field") == "group":  # the personnel chart's series
                names |= set(color["scale"]["domain"])
    assert names == {"قاعدة حميميم الجوية"}, names


def test_events_tables_details_and_timeline_movements_name_sites_in_the_readers_language(monkeypatch):
    # The Arabic timeline listed "Qamishli International Airport (Russian helicopter base)" while its map said مطار القامشلي.
    at = run_page("pages/timeline.py", {"lang": "ar", "event": "ev-0182"}, data_dir=BUNDLED, monkeypatch=monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    table = next(d for d in at.dataframe if "id" in d.value.columns).value
    assert table.loc[table["id"] == "ev-0182", "site_name"].tolist() == ["مطار القامشلي"]
    assert "Qamishli International Airport" not in " ".join(table["site_name"])
    detail = " ".join(h.proto.body for h in at.get("html"))
    assert "<bdi>قاعدة حميميم الجوية</bdi>" in detail and "<bdi>مطار القامشلي</bdi>" in detail, detail[:2000]
    movements = {movement for chart in at.get("vega_lite_chart") for dataset in chart.proto.datasets
                 for movement in _arrow_column(dataset.data.data, "movement")}
    assert "مطار القامشلي → قاعدة حميميم الجوية" in movements, movements
    english = run_page("pages/timeline.py", {"event": "ev-0182"}, data_dir=BUNDLED, monkeypatch=monkeypatch)
    table = next(d for d in english.dataframe if "id" in d.value.columns).value
    assert table.loc[table["id"] == "ev-0182", "site_name"].tolist() == [
        "Qamishli International Airport (Russian helicopter base)"]


def _arrow_column(table: bytes, column: str) -> list:
    """One column of a chart dataset as Streamlit sends it (Arrow IPC), empty when the dataset lacks it."""
    import pyarrow as pa

    data = pa.ipc.open_stream(table).read_all()
    return data.column(column).to_pylist() if column in data.column_names else []
