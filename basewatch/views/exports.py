"""Charts as publishable images: PNG or SVG with title, filter sentence, source line and link in the image.

Rendered on the server with vl-convert (Vega and its fonts are bundled in the wheel, so nothing is
fetched). The chart is drawn first; a header (title, plain-language filter sentence) and a footer
("Source: Basewatch, data version …" and the link) are then composed around it in one SVG, and the
PNG is rasterised from that SVG, so both formats carry exactly the same text.
"""

from __future__ import annotations

import copy
import html
import re
import textwrap

import vl_convert

from basewatch import config

EXPORT_WIDTH = 900  # px of the whole image (chart plus margins)
MARGIN = 16
FONT = "Helvetica, Arial, sans-serif"
# Characters per line of the header and footer text; about 7 px per character at 13 px.
WRAP_CHARS = (EXPORT_WIDTH - 2 * MARGIN) // 7


def source_line(version: str) -> str:
    """The credit line every exported image carries: who, which data version, under which licence."""
    return f"Source: {config.APP_TITLE}, data version {version} ({config.DATA_LICENSE_SHORT})"


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


def _text_block(lines: list[tuple[str, int, str, str]], top: float) -> tuple[str, float]:
    """SVG <text> elements for (text, size, weight, colour) lines, wrapped; returns (markup, new top)."""
    parts = []
    for text, size, weight, color in lines:
        for line in textwrap.wrap(text, width=int(WRAP_CHARS * 13 / size)) or [""]:
            top += size * 1.35
            parts.append(f'<text x="{MARGIN}" y="{top:.1f}" font-family="{FONT}" font-size="{size}" '
                         f'font-weight="{weight}" fill="{color}">{html.escape(line)}</text>')
    return "\n".join(parts), top


def compose_svg(chart_svg: str, title: str, sentence: str, version: str, link: str) -> str:
    """One SVG: title and filter sentence above the chart, source line and link below it."""
    chart_svg = re.sub(r"^<\?xml[^>]*>\s*", "", chart_svg.strip())
    chart_w, chart_h = _svg_size(chart_svg)
    width = max(EXPORT_WIDTH, chart_w + 2 * MARGIN)
    header, top = _text_block([(title, 18, "bold", "#111"), (sentence, 13, "normal", "#333")], 4)
    chart_top = top + 10
    footer, bottom = _text_block([(source_line(version), 12, "normal", "#333"), (link, 12, "normal", "#0b5394")],
                                 chart_top + chart_h + 6)
    height = bottom + MARGIN
    # The chart's own markup moves into a translated group (a nested <svg> loses its clip paths in
    # the rasteriser: marks at the right of the timeline went missing in the PNG).
    inner = re.sub(r"</svg>\s*$", "", re.sub(r"^<svg[^>]*>", "", chart_svg, count=1))
    nested = f'<g transform="translate({MARGIN},{chart_top:.1f})">{inner}</g>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">\n'
            f"<title>{html.escape(title)}</title>\n<desc>{html.escape(sentence)}</desc>\n"
            f'<rect width="100%" height="100%" fill="white"/>\n{header}\n{nested}\n{footer}\n</svg>\n')


def chart_image(chart_or_spec, fmt: str = "png", title: str = "", sentence: str = "", version: str = "",
                link: str = "", scale: float = 2.0) -> bytes:
    """The chart as PNG or SVG bytes carrying title, filter sentence, source line with data version, and link."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown image format {fmt!r}; use 'png' or 'svg'")
    spec = chart_or_spec.to_dict() if hasattr(chart_or_spec, "to_dict") else chart_or_spec
    chart_svg = vl_convert.vegalite_to_svg(_sized(spec, EXPORT_WIDTH - 2 * MARGIN))
    svg = compose_svg(chart_svg, title, sentence, version, link)
    if fmt == "svg":
        return svg.encode("utf-8")
    return vl_convert.svg_to_png(svg, scale=scale)
