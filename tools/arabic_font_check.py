"""Proof that the vendored Arabic TTFs render an Arabic chart with vl-convert, from their folder alone.

    python -m tools.arabic_font_check [--font-dir DIR] [--out-dir DIR]

1. Reads the name and cmap tables of every TTF in the folder (stdlib only) and checks that the regular
   and the bold face have a glyph for every character the test chart draws: the folder alone covers the
   text, nothing has to fall back to a font of the machine.
2. Registers the folder with `vl_convert.register_font_directory` and renders a small Vega-Lite chart
   with an Arabic title and subtitle and Arabic month labels to PNG, in the locale that
   docs/translation-glossary.md recommends (months يناير … ديسمبر, Latin digits). For comparison it also
   renders the same chart with vl-convert's built-in `ar-SY` locales (Levantine months, Arabic-Indic
   digits in numbers but not in years).
3. Renders the recommended chart again in a child process that registers no font, so the same font stack
   falls back to what the machine and the vl-convert wheel bring (on Debian, DejaVu Sans for Arabic), and
   checks that the image differs: the registered font is the one in use.

The chart names the family followed by `sans-serif`. Seen with vl-convert 1.9: a family that is named alone
and is not registered renders no text at all, not even digits, so an export must register the folder and
should keep the generic fallback.

Writes arabic-font-check.png, arabic-font-check-ar-SY.png and arabic-font-check-system-fonts.png to
--out-dir (default: artifacts/, which git ignores) and prints one line per check. Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import struct
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "static" / "vendor" / "noto-sans-arabic-ttf-0.4.3"
OUT_DIR = ROOT / "artifacts"

# Bidi isolates: the rasteriser lays out every text line left to right, so an Arabic line holding
# digits or Latin text must be wrapped in RLI … PDI to keep its right-to-left order.
RLI, PDI = "\u2067", "\u2069"

# The recommended Arabic locale for charts (see docs/translation-glossary.md, "Digits and month names"):
# the month names of Egypt, Sudan and the pan-Arab press, and Latin digits with "." and "," separators.
ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
                 "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
ARABIC_NUMBER_LOCALE = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]}

TITLE = "أحداث تخص الوجود العسكري الروسي حسب الشهر"
SUBTITLE = f"{RLI}بيانات اختبار، ليست من Basewatch: قاعدة حميميم الجوية منذ 2015 (ev-0042){PDI}"
X_TITLE = "الشهر"
Y_TITLE = "عدد الأحداث"
COUNTS = (3, 5, 2, 8, 13, 1, 0, 4, 6, 1200, 9, 7)  # one large value to show the thousands separator


# --- a minimal sfnt reader: the name and cmap tables are all this check needs ---------------------------

def _tables(data: bytes) -> dict[str, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i:28 + 16 * i])
        tables[tag.decode("latin-1")] = data[offset:offset + length]
    return tables


def _names(table: bytes) -> dict[int, str]:
    """Windows/Unicode English names by name id (1 family, 2 subfamily, 5 version, 16 typographic family)."""
    _fmt, count, strings = struct.unpack(">HHH", table[:6])
    names = {}
    for i in range(count):
        platform, _encoding, language, name_id, length, offset = struct.unpack(">HHHHHH", table[6 + 12 * i:18 + 12 * i])
        if platform == 3 and language == 0x409:
            names[name_id] = table[strings + offset:strings + offset + length].decode("utf-16-be")
    return names


def _codepoints(table: bytes) -> set[int]:
    """Code points mapped by the best Unicode subtable (format 12, else format 4)."""
    count = struct.unpack(">H", table[2:4])[0]
    subtables = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack(">HHI", table[4 + 8 * i:12 + 8 * i])
        subtables[(platform, encoding)] = offset
    for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3)):
        if key not in subtables:
            continue
        offset = subtables[key]
        fmt = struct.unpack(">H", table[offset:offset + 2])[0]
        points: set[int] = set()
        if fmt == 12:
            groups = struct.unpack(">I", table[offset + 12:offset + 16])[0]
            for g in range(groups):
                start, end, _glyph = struct.unpack(">III", table[offset + 16 + 12 * g:offset + 28 + 12 * g])
                points.update(range(start, end + 1))
            return points
        if fmt == 4:
            seg_x2 = struct.unpack(">H", table[offset + 6:offset + 8])[0]
            ends = struct.unpack(f">{seg_x2 // 2}H", table[offset + 14:offset + 14 + seg_x2])
            starts = struct.unpack(f">{seg_x2 // 2}H", table[offset + 16 + seg_x2:offset + 16 + 2 * seg_x2])
            for start, end in zip(starts, ends):
                if start != 0xFFFF:
                    points.update(range(start, end + 1))
            return points
    raise ValueError("no Unicode cmap subtable of format 4 or 12")


def read_font(path: Path) -> dict:
    tables = _tables(path.read_bytes())
    names = _names(tables["name"])
    return {"path": path, "family": names.get(16) or names.get(1), "style": names.get(17) or names.get(2),
            "version": names.get(5), "codepoints": _codepoints(tables["cmap"])}


# --- the chart --------------------------------------------------------------------------------------------

def recommended_time_locale() -> dict:
    """vl-convert's ar-EG d3 time locale, which is exactly the recommended month names (checked)."""
    import vl_convert

    locale = vl_convert.get_time_format_locale("ar-EG")
    if tuple(locale["months"]) != ARABIC_MONTHS or tuple(locale["shortMonths"]) != ARABIC_MONTHS:
        raise SystemExit(f"vl-convert's ar-EG months are not the recommended ones: {locale['months']}")
    return locale


def chart_spec(family: str) -> dict:
    values = [{"month": f"2025-{m:02d}-01", "events": n} for m, n in enumerate(COUNTS, start=1)]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 560, "height": 260,
        "title": {"text": TITLE, "subtitle": SUBTITLE, "anchor": "end", "fontSize": 18, "subtitleFontSize": 13},
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#D55E00"},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "timeUnit": "yearmonth", "title": X_TITLE,
                  # %b %Y in an RLI … PDI isolate: "يناير 2025" keeps the month on the right
                  "axis": {"format": f"{RLI}%b %Y{PDI}", "formatType": "time", "labelAngle": -45,
                           "labelFontSize": 12, "titleFontSize": 13}},
            "y": {"field": "events", "type": "quantitative", "title": Y_TITLE, "scale": {"type": "symlog"},
                  "axis": {"format": ",d", "labelFontSize": 12, "titleFontSize": 13}},
        },
        "config": {"font": f"{family}, sans-serif", "view": {"stroke": None}},
    }


def drawn_text(time_locale: dict) -> str:
    """Every character the chart draws (titles, axis titles, month names, digits and separators)."""
    return "".join([TITLE, SUBTITLE, X_TITLE, Y_TITLE, *time_locale["months"], *time_locale["shortMonths"],
                    "0123456789,. -"])


def render_png(spec: dict, time_locale, number_locale) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_png(spec, scale=2, time_format_locale=time_locale, format_locale=number_locale)


# --- the checks -------------------------------------------------------------------------------------------

def check_coverage(fonts: list[dict], text: str) -> list[str]:
    """Characters of `text` missing from a face; bidi and other format controls (Cf) need no glyph."""
    needed = {ord(c) for c in text if unicodedata.category(c) != "Cf"}
    problems = []
    for font in fonts:
        missing = sorted(needed - font["codepoints"])
        if missing:
            problems.append(f"{font['path'].name}: no glyph for " + " ".join(f"U+{c:04X} {chr(c)!r}" for c in missing))
    return problems


def child_render(out: Path, family: str) -> None:
    """Run in a fresh process that registers no font: the recommended chart with the machine's fonts."""
    out.write_bytes(render_png(chart_spec(family), recommended_time_locale(), ARABIC_NUMBER_LOCALE))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--font-dir", type=Path, default=FONT_DIR, help="folder of TTF files (default: %(default)s)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="where the PNGs go (default: %(default)s)")
    parser.add_argument("--child-render", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--family", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_render:
        child_render(args.child_render, args.family)
        return 0

    import vl_convert

    font_dir = args.font_dir.resolve()
    fonts = [read_font(p) for p in sorted(font_dir.glob("*.ttf"))]
    if not fonts:
        print(f"FAIL no .ttf file in {font_dir}")
        return 1
    families = {f["family"] for f in fonts}
    for font in fonts:
        print(f"font  {font['path'].name}: {font['family']} {font['style']}, {font['version']}, "
              f"{len(font['codepoints'])} code points, {font['path'].stat().st_size // 1024} KB")
    if len(families) != 1:
        print(f"FAIL the folder holds more than one family: {sorted(families)}")
        return 1
    family = families.pop()
    failures = 0

    time_locale = recommended_time_locale()
    sy_time, sy_number = vl_convert.get_time_format_locale("ar-SY"), vl_convert.get_format_locale("ar-SY")
    problems = check_coverage(fonts, drawn_text(time_locale) + drawn_text(sy_time) + "".join(sy_number["numerals"]))
    for problem in problems:
        print(f"FAIL {problem}")
    failures += bool(problems)
    if not problems:
        print(f"ok    every character the charts draw has a glyph in each face of {family!r}")

    vl_convert.register_font_directory(str(font_dir))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    spec = chart_spec(family)
    recommended = args.out_dir / "arabic-font-check.png"
    recommended.write_bytes(render_png(spec, time_locale, ARABIC_NUMBER_LOCALE))
    levantine = args.out_dir / "arabic-font-check-ar-SY.png"
    levantine.write_bytes(render_png(spec, "ar-SY", "ar-SY"))
    svg = vl_convert.vegalite_to_svg(spec, time_format_locale=time_locale, format_locale=ARABIC_NUMBER_LOCALE)
    shown = [m for m in ARABIC_MONTHS if m in svg]
    print(f"ok    rendered {recommended} and {levantine}; month labels in the SVG: {' '.join(shown)}")
    if not shown:
        print("FAIL no Arabic month name among the axis labels")
        failures += 1

    system = args.out_dir / "arabic-font-check-system-fonts.png"
    subprocess.run([sys.executable, "-m", "tools.arabic_font_check", "--child-render", str(system),
                    "--family", family], check=True, cwd=ROOT)
    if system.read_bytes() == recommended.read_bytes():
        print("FAIL the chart looks the same without the registered folder: the font was not used")
        failures += 1
    else:
        print(f"ok    without the folder the chart renders differently ({system}): the registered font is in use")
    print(json.dumps({"family": family, "time_locale_months": list(time_locale["months"]),
                      "number_locale": ARABIC_NUMBER_LOCALE}, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
