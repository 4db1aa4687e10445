"""Charts as publishable images: PNG or SVG with title, filter sentence, source line and link in the image.

Rendered on the server with vl-convert (Vega and its fonts are bundled in the wheel, so nothing is
fetched). The chart is drawn first; a header (title, plain-language filter sentence) and a footer
("Source: Basewatch, data version …" and the link) are then composed around it in one SVG, and the
PNG is rasterised from that SVG, so both formats carry exactly the same text.

In a right-to-left language the header and footer lines are anchored at the right edge and each is
wrapped in RLI…PDI (the rasteriser ignores SVG's `direction` attribute; the isolate is what puts a
Latin name or id on the correct side); the link stays a left-to-right isolate. The chart speaks the
language through Vega's `config.locale`. Arabic text is drawn in the Arabic font registered from the
repository (`ARABIC_FONT_DIRS`), never one found on the machine by chance.
"""

from __future__ import annotations

import copy
import html
import re
import textwrap
from functools import lru_cache

import vl_convert

from basewatch import config, i18n
from basewatch.i18n import LRI, PDI, RLI, _
from basewatch.text import plain_isolate
from basewatch.views.charts.common import localized

# Folders in the repository (and the Docker image) holding the Arabic TTF for server-side renders.
ARABIC_FONT_DIRS = (config.STATIC_DIR / "vendor" / "noto-sans-arabic-ttf-0.4.3",)
ARABIC_FONT = "Noto Sans Arabic"

EXPORT_WIDTH = 900  # px of the whole image (chart plus margins)
MARGIN = 16
FONT = "Helvetica, Arial, sans-serif"
# Characters per line of the header and footer text; about 7 px per character at 13 px.
WRAP_CHARS = (EXPORT_WIDTH - 2 * MARGIN) // 7


def source_line(version: str) -> str:
    """The credit line every exported image carries, in the current language: who, which data version, which licence."""
    # The licence's short name is the same in every language.
    return (_("Source: {app}, data version {version}").format(app=config.APP_TITLE, version=plain_isolate(version))
            + " " + plain_isolate(f"({config.DATA_LICENSE_SHORT})"))


@lru_cache(maxsize=1)
def register_fonts() -> list[str]:
    """Register the repository's Arabic font folders with vl-convert (once); the folders registered."""
    registered = []
    for folder in ARABIC_FONT_DIRS:
        if folder.is_dir() and any(folder.glob("*.ttf")):
            vl_convert.register_font_directory(str(folder))
            registered.append(str(folder))
    return registered


def font_family(lang: str) -> str:
    """The SVG font-family of header and footer text: the Arabic font first for Arabic."""
    return f"{ARABIC_FONT}, {FONT}" if lang == "ar" else FONT


def _sized(spec: dict, width: int) -> dict:
    """A copy of `spec` whose plot(s) are `width` px wide (Streamlit sets this from the page otherwise)."""
    spec = copy.deepcopy(spec)
    if "vconcat" in spec:
        for child in spec["vconcat"]:
            child["width"] = width
    elif "hconcat" not in spec and "facet" not in spec:
        spec["width"] = width
    spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    spec.setdefault("background", "white")
    return spec


def _svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    if not match:
        raise ValueError("the chart renderer returned an SVG without a size")
    return float(match.group(1)), float(match.group(2))


def _text_block(lines: list[tuple[str, int, str, str]], top: float, width: float = EXPORT_WIDTH,
                lang: str = "en") -> tuple[str, float]:
    """SVG <text> elements for (text, size, weight, colour) lines, wrapped; returns (markup, new top).

    Right to left: anchored at the right margin, each line an RLI…PDI isolate (a link an LRI…PDI one).
    """
    rtl = i18n.direction(lang) == "rtl"
    x, anchor = (width - MARGIN, "end") if rtl else (MARGIN, "start")
    parts = []
    for text, size, weight, color in lines:
        is_link = text.startswith(("http://", "https://"))
        for line in textwrap.wrap(text, width=int(WRAP_CHARS * 13 / size), break_on_hyphens=False) or [""]:
            top += size * 1.35
            shown = f"{LRI if is_link else RLI}{line}{PDI}" if rtl else line
            parts.append(f'<text x="{x:.0f}" y="{top:.1f}" text-anchor="{anchor}" font-family="{font_family(lang)}" '
                         f'font-size="{size}" font-weight="{weight}" fill="{color}">{html.escape(shown)}</text>')
    return "\n".join(parts), top


def compose_svg(chart_svg: str, title: str, sentence: str, version: str, link: str, lang: str | None = None) -> str:
    """One SVG: title and filter sentence above the chart, source line and link below it (`lang`: their language)."""
    lang = lang or i18n.language()
    chart_svg = re.sub(r"^<\?xml[^>]*>\s*", "", chart_svg.strip())
    chart_w, chart_h = _svg_size(chart_svg)
    width = max(EXPORT_WIDTH, chart_w + 2 * MARGIN)
    header, top = _text_block([(title, 18, "bold", "#111"), (sentence, 13, "normal", "#333")], 4, width, lang)
    chart_top = top + 10
    with i18n.use(lang):
        credit = source_line(version)
    footer, bottom = _text_block([(credit, 12, "normal", "#333"), (link, 12, "normal", "#0b5394")],
                                 chart_top + chart_h + 6, width, lang)
    height = bottom + MARGIN
    # The chart's own markup moves into a translated group (a nested <svg> loses its clip paths in
    # the rasteriser: marks at the right of the timeline went missing in the PNG).
    inner = re.sub(r"</svg>\s*$", "", re.sub(r"^<svg[^>]*>", "", chart_svg, count=1))
    nested = f'<g transform="translate({MARGIN},{chart_top:.1f})">{inner}</g>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'xml:lang="{lang}" direction="{i18n.direction(lang)}">\n'
            f"<title>{html.escape(title)}</title>\n<desc>{html.escape(sentence)}</desc>\n"
            f'<rect width="100%" height="100%" fill="white"/>\n{header}\n{nested}\n{footer}\n</svg>\n')


def chart_image(chart_or_spec, fmt: str = "png", title: str = "", sentence: str = "", version: str = "",
                link: str = "", scale: float = 2.0, lang: str | None = None) -> bytes:
    """The chart as PNG or SVG bytes carrying title, filter sentence, source line with data version, and link.

    `lang` is the page's language (default: the current one): the chart's locale and the caption's direction.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown image format {fmt!r}; use 'png' or 'svg'")
    lang = lang or i18n.language()
    register_fonts()
    spec = chart_or_spec.to_dict() if hasattr(chart_or_spec, "to_dict") else chart_or_spec
    spec = localized(spec, lang)
    if lang == "ar":  # the chart's own labels in the registered Arabic font too
        spec = {**spec, "config": {**spec.get("config", {}), "font": font_family(lang)}}
    chart_svg = vl_convert.vegalite_to_svg(_sized(spec, EXPORT_WIDTH - 2 * MARGIN))
    svg = compose_svg(chart_svg, title, sentence, version, link, lang)
    if fmt == "svg":
        return svg.encode("utf-8")
    return vl_convert.svg_to_png(svg, scale=scale)
