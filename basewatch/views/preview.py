"""The preview image of a view: 1200×630, a static map or the page's main chart, its caption burnt in.

What a chat, a post or a crawler shows for a shared link. Made on the server without a browser: the
body is a Vega-Lite spec (for /map and /sites a Web Mercator map of the vendored country outlines, the
sites coloured by their status on the period's end and the events as points or grid cells, as the map
page selects them; for / and /timeline the page's main chart), drawn by vl-convert like the chart
exports, with the same caption: title, the view's sentence, the source line with the data version,
and the link.

Two steps: `card` reads the dataset and returns a small picklable `Card` (20–40 ms for a map, about
0.4 s for the timeline, whose Altair chart is costly to build); `draw` turns a card into PNG bytes
(0.1–0.5 s in vl-convert, holding the GIL throughout). Both hold the GIL, so the web routes run them in a
worker process of their own (basewatch/web/previews.py). Same card, same bytes: the PNG is reduced to a
256-colour palette without dithering, which keeps the flat colours crisp and the file near 50 KB.
"""

from __future__ import annotations

import html
import io
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
import vl_convert
from PIL import Image

from basewatch import config, i18n
from basewatch.i18n import _, direction
from basewatch.loading.dataset import Dataset
from basewatch.queries import footprint
from basewatch.state import links
from basewatch.state.catalog import Catalog, label
from basewatch.state.filters import apply_filters, describe_filters
from basewatch.state.urlstate import ViewState
from basewatch.views import story
from basewatch.views.charts import footprint as footprint_chart
from basewatch.views.charts import timeline
from basewatch.views.exports import source_line
from basewatch.views.maps import still

WIDTH, HEIGHT = 1200, 630
MARGIN = 32
FONT = "Liberation Sans, Helvetica, Arial, DejaVu Sans, sans-serif"
TITLE_PX, SENTENCE_PX, FOOT_PX = 34, 23, 18
HEADER_H = 118  # title and up to two lines of sentence
BODY_H = still.HEIGHT  # the map fills the body edge to edge
FOOTER_H = HEIGHT - HEADER_H - BODY_H  # the source line and the link
# Charts are drawn this wide and then enlarged to the body: their 11 px labels stay legible in a chat's
# thumbnail (a 1200 px card is usually shown about 500 px wide).
CHART_W = 760
MEDIA_TYPE = "image/png"
# Average glyph width as a share of the font size (Liberation Sans), for wrapping and cutting lines.
GLYPH_EM = 0.52
RLI, PDI = "\u2067", "\u2069"  # the rasteriser lays out right-to-left text only inside these isolates


@dataclass(frozen=True)
class Card:
    """Everything `draw` needs: caption texts and the body (a Vega-Lite spec, or headline numbers)."""

    title: str
    sentence: str
    source: str
    link: str
    rtl: bool = False
    body: dict | None = None
    numbers: tuple[tuple[str, str], ...] = field(default=())


def generic_card() -> Card:
    """The card shown when a view's own image cannot be made now (too many renders queued): no data in it."""
    return Card(config.APP_TITLE, _(config.APP_TAGLINE),
                _("Sites, deployments and withdrawals, each with its sources and claim status."), "",
                body=still.outline_spec())


# ------------------------------------------------------------------------------------------ the charts


def chart_spec(page_key: str, state: ViewState, dataset: Dataset, events: pd.DataFrame) -> dict | None:
    """The page's main chart as the page draws it: the footprint on the overview, the timeline on /timeline."""
    filters = state.filters
    if page_key == "overview":
        period_set = filters.date_from is not None or filters.date_to is not None
        start = (filters.date_from or dataset.events["date"].min()) if period_set else None
        end = (filters.date_to or dataset.data_date) if period_set else None
        chart = footprint_chart.footprint_chart(
            dataset.site_status, dataset.sites, start, end, until=dataset.data_date,
            axis_start=footprint_chart.axis_start(dataset.site_status), selected_site=state.site)
    elif page_key == "timeline":
        if events.empty:
            return None
        context = apply_filters(dataset.events, filters.replace(date_from=None, date_to=None))
        lanes = max(1, events["actor"].nunique())
        chart = timeline.timeline_chart(events, state.event, context=context,
                                        height_per_lane=max(12, min(38, (BODY_H - 230) // lanes)))
    else:
        return None
    spec = chart.to_dict(validate=False)
    spec["width"] = CHART_W
    if "vconcat" in spec:
        for child in spec["vconcat"]:
            child["width"] = CHART_W
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["background"] = "white"
    return spec


# ------------------------------------------------------------------------------------------ the card


def title_of(page_key: str, state: ViewState, dataset: Dataset, catalog: Catalog) -> str:
    """The image's title line: what the page shows, naming the selected site or event."""
    if state.event and (dataset.events["id"] == state.event).any():
        event = dataset.events[dataset.events["id"] == state.event].iloc[0]
        place = event["place"] if isinstance(event["place"], str) else ""
        return (f"{event['date_label']} · {catalog.label('actor', event['actor_slug'])} · "
                f"{catalog.label('type', event['event_type'])} · {place}").rstrip(" ·")
    if state.site:
        return _("{site}: site profile").format(site=catalog.label("site", state.site))
    titles = {"overview": _(config.APP_TAGLINE),
              "map": _("Russia's military footprint around the Mediterranean: map"),
              "timeline": _("Events over time, by actor"),
              "sites": _("Russia's military sites around the Mediterranean"),
              "data": _("Data & sources")}
    return titles.get(page_key, label("page", page_key))


_sites_on: OrderedDict = OrderedDict()
_sites_lock = threading.Lock()


def sites_on(dataset: Dataset, day) -> pd.DataFrame:
    """The sites with their status on `day` (None: the data date), once per data version and day in a process."""
    key = (dataset.version, day)
    with _sites_lock:
        if key not in _sites_on:
            _sites_on[key] = footprint.sites_as_of(dataset.site_status, dataset.sites, day)
            while len(_sites_on) > 16:
                _sites_on.popitem(last=False)
        return _sites_on[key]


def card(page_key: str, state: ViewState, dataset: Dataset, catalog: Catalog, base_url: str,
         link: str | None = None) -> Card:
    """The card of a view, its texts in the view's language; `link` (default: the view's link under `base_url`)
    is the address printed on it (the snapshot prints the archived copy's)."""
    with i18n.use(state.lang):
        return _card(page_key, state, dataset, catalog, link or links.link(page_key, state, catalog).on(base_url))


def _card(page_key: str, state: ViewState, dataset: Dataset, catalog: Catalog, link: str) -> Card:
    events = apply_filters(dataset.events, state.filters)
    sentence = describe_filters(state.filters, catalog, len(events), len(dataset.events))
    common = dict(title=title_of(page_key, state, dataset, catalog), sentence=sentence,
                  source=source_line(dataset.version), link=link, rtl=direction(state.lang) == "rtl")
    if page_key in ("map", "sites"):
        sites = story.localized_sites(sites_on(dataset, state.filters.date_to))  # named in the card's language
        return Card(**common, body=still.spec(state, events, sites, catalog,
                                             site_zoom=still.SITE_ZOOM if page_key == "sites" else None))
    spec = chart_spec(page_key, state, dataset, events)
    if spec is not None:
        return Card(**common, body=spec)
    weak = int(events["weak_only"].sum()) if "weak_only" in events else 0
    numbers = ((f"{len(events):,}", _("events in view")),
               (f"{events['source_name'].nunique():,}", _("publishers cited")),
               (f"{weak / len(events):.0%}" if len(events) else "–", _("rest only on weak sources")))
    return Card(**common, numbers=numbers)


# ------------------------------------------------------------------------------------------ drawing


def _fit(text: str, size: float, width: float) -> str:
    """`text` cut to what fits in `width` px at `size` px, with an ellipsis when cut."""
    room = int(width / (size * GLYPH_EM))
    text = " ".join(str(text).split())
    return text if len(text) <= room else text[: max(1, room - 1)].rstrip() + "…"


def _lines(text: str, size: float, width: float, most: int) -> list[str]:
    """`text` wrapped to at most `most` lines of `width` px, the last one cut with an ellipsis if needed."""
    room = max(1, int(width / (size * GLYPH_EM)))
    words, lines, line = " ".join(str(text).split()).split(" "), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= room or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = _fit(lines[-1] + " …", size, width) if len(lines[-1]) + 2 > room else lines[-1] + " …"
    return [_fit(text_line, size, width) for text_line in lines]


def _text(text: str, x: float, y: float, size: float, weight: str = "normal", fill: str = "#111",
          anchor: str = "start", rtl: bool = False) -> str:
    if rtl:  # right-anchored inside bidi isolates: what the rasteriser lays out right to left
        text, x, anchor = RLI + text + PDI, WIDTH - x, "end"
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}" text-anchor="{anchor}">{html.escape(text, quote=False)}</text>')


def _inner(svg: str) -> tuple[str, float, float]:
    """The markup inside an SVG document and its width and height."""
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg.strip())
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    if not match:
        raise ValueError("the chart renderer returned an SVG without a size")
    inner = re.sub(r"</svg>\s*$", "", re.sub(r"^<svg[^>]*>", "", svg, count=1))
    return inner, float(match.group(1)), float(match.group(2))


def _placement(width: float, height: float) -> tuple[float, float, float]:
    """Where a body of this size goes and how much it is scaled: (x, y, scale)."""
    if width >= WIDTH - 1:  # a map: edge to edge
        return 0.0, float(HEADER_H), 1.0
    k = min((WIDTH - 2 * MARGIN) / width, (BODY_H - 8) / height)  # a chart: enlarged to fit, centred
    return (WIDTH - width * k) / 2, HEADER_H + 4.0, k


def compose(card_: Card, body_svg: str | None = None) -> str:
    """The whole 1200×630 SVG: title and sentence above the body, source line and link beneath."""
    rtl = card_.rtl
    parts = [_text(_fit(card_.title, TITLE_PX, WIDTH - 2 * MARGIN), MARGIN, MARGIN + TITLE_PX * 0.78, TITLE_PX,
                   "bold", rtl=rtl)]
    for i, line in enumerate(_lines(card_.sentence, SENTENCE_PX, WIDTH - 2 * MARGIN, 2)):
        parts.append(_text(line, MARGIN, MARGIN + TITLE_PX + 14 + SENTENCE_PX * (0.8 + 1.25 * i), SENTENCE_PX,
                           fill="#333", rtl=rtl))
    body = ""
    if body_svg is not None:
        inner, width, height = _inner(body_svg)
        x, y, k = _placement(width, height)
        body = f'<g transform="translate({x:.1f},{y:.1f}) scale({k:.4f})">{inner}</g>'
    elif card_.numbers:
        step = (WIDTH - 2 * MARGIN) / len(card_.numbers)
        for i, (value, what) in enumerate(card_.numbers):
            x = MARGIN + step * i
            body += _text(value, x, HEADER_H + 150, 84, "bold", "#0b5394", rtl=rtl)
            body += _text(_fit(what, 24, step - 20), x, HEADER_H + 196, 24, fill="#333", rtl=rtl)
    foot_y = HEIGHT - FOOTER_H / 2 + FOOT_PX * 0.35
    source = _text(card_.source, MARGIN, foot_y, FOOT_PX, fill="#333", rtl=rtl) if card_.source else ""
    room = WIDTH - 2 * MARGIN - len(card_.source) * FOOT_PX * GLYPH_EM - 24
    # The link sits at the end of the line the source starts: right in a left-to-right card, left otherwise.
    link = _text(_fit(card_.link, FOOT_PX, room), MARGIN if rtl else WIDTH - MARGIN, foot_y, FOOT_PX,
                 fill="#0b5394", anchor="start" if rtl else "end") if card_.link else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{WIDTH}" '
            f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n{body}\n'
            f'<rect y="{HEADER_H - 1}" width="{WIDTH}" height="1" fill="#d0d4da"/>\n'
            f'<rect y="{HEIGHT - FOOTER_H}" width="{WIDTH}" height="1" fill="#d0d4da"/>\n'
            + "\n".join(parts) + f"\n{source}\n{link}\n</svg>\n")


@lru_cache(maxsize=16)
def _body(spec_json: str) -> tuple[Image.Image, tuple[int, int]]:
    """A body drawn and rasterised once per process, with where it goes on the card.

    Many views share a body (every event page without a map position shows the same map), and drawing
    and rasterising the body is most of a card's cost; the caption around it is rasterised per card.
    """
    inner, width, height = _inner(vl_convert.vegalite_to_svg(json.loads(spec_json)))
    x, y, k = _placement(width, height)
    w, h = round(width * k), round(height * k)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" '
           f'height="{h}" viewBox="0 0 {w} {h}"><rect width="100%" height="100%" fill="white"/>'
           f'<g transform="scale({k:.4f})">{inner}</g></svg>')
    image = Image.open(io.BytesIO(vl_convert.svg_to_png(svg, scale=1))).convert("RGB")
    return image, (round(x), round(y))


def draw(card_: Card) -> bytes:
    """The card as a 1200×630 PNG with a 256-colour palette (same card, same bytes)."""
    full = Image.open(io.BytesIO(vl_convert.svg_to_png(compose(card_), scale=1))).convert("RGB")
    if card_.body is not None:
        body, where = _body(json.dumps(card_.body, sort_keys=True))
        full.paste(body, where)
    palette = full.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def render(page_key: str, state: ViewState, dataset: Dataset, catalog: Catalog, base_url: str,
           link: str | None = None) -> bytes:
    """The preview image of a view: its card, drawn."""
    return draw(card(page_key, state, dataset, catalog, base_url, link))
