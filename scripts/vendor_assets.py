#!/usr/bin/env python3
"""Vendor folium's browser assets and an offline country basemap into ``static/``.

Basewatch must render its maps with no internet (the browser reaches only
127.0.0.1).  folium / branca / streamlit-folium point every ``<script>`` and
``<link>`` at public CDNs, so this script:

1. fetches the *same versions* of those JS/CSS packages from the npm registry
   (``npm pack <pkg>@<version>``), copies only the files needed (plus the
   package's licence) to ``static/vendor/<pkg>-<version>/`` and writes
   ``static/vendor/manifest.json`` mapping each CDN URL exactly as folium lists
   it to the local path (relative to ``static/``);
   The same table vendors a few assets of Basewatch's own (html-to-image, axe-core, and the
   Noto Sans Arabic font as woff2 for the browser and as TTF for charts rendered on the server);
   those have no CDN URL and no manifest entry.
2. decodes Natural Earth country outlines from the ``world-atlas`` npm package
   (TopoJSON) into ``static/basemap/countries.geojson`` for the region of
   interest;
3. writes ``static/README.md`` and ``static/basemap/README.md``.

Usage (from the repository root, ideally with the app's virtualenv so that the
installed folium can be cross-checked)::

    python scripts/vendor_assets.py            # rebuild static/vendor and static/basemap
    python scripts/vendor_assets.py --check    # only compare folium's URL lists with the table

Requirements: Python >= 3.9 (stdlib only) and ``npm`` on PATH with access to the
npm registry.  folium's own template files (HeatMap JS) are read from the
installed folium package, or from the folium wheel fetched with
``pip download`` if folium is not importable.

To update a package: change its entry in ``PACKAGES`` (spec + URLs), re-run,
check the printed cross-check report, and commit ``static/``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STATIC = REPO_ROOT / "static"
VENDOR = STATIC / "vendor"
BASEMAP = STATIC / "basemap"

FOLIUM_VERSION = "0.20.0"  # the folium whose CDN lists this table mirrors

# Region kept in the basemap: lon -20..65, lat -5..60.
REGION = (-20.0, -5.0, 65.0, 60.0)  # (min_lon, min_lat, max_lon, max_lat)
WORLD_ATLAS_SPEC = "world-atlas@2.0.2"
BASEMAP_MAX_BYTES = 600 * 1024
COORD_DECIMALS = 3
ARABIC_WEB_WEIGHTS = (400, 700)  # the Arabic web font: regular and bold only

# ---------------------------------------------------------------------------
# Asset table.
#
# Each entry:
#   spec     npm spec passed to `npm pack` (exact version)
#   dest     folder name under static/vendor/
#   licence  SPDX-ish licence string for the README table
#   files    {path inside the npm tarball (below package/): path under dest}
#   licence_files  files copied verbatim next to the assets
#   urls     {CDN URL exactly as folium/branca/streamlit-folium list it: path under dest}
#   used_by  where the URL comes from (for the README)
#   note     optional remark for the README
# ---------------------------------------------------------------------------
PACKAGES: list[dict] = [
    {
        "spec": "leaflet@1.9.3",
        "dest": "leaflet-1.9.3",
        "licence": "BSD-2-Clause",
        "files": {
            "dist/leaflet.js": "leaflet.js",
            "dist/leaflet.css": "leaflet.css",
            "dist/images/layers.png": "images/layers.png",
            "dist/images/layers-2x.png": "images/layers-2x.png",
            "dist/images/marker-icon.png": "images/marker-icon.png",
            "dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
            "dist/images/marker-shadow.png": "images/marker-shadow.png",
        },
        "licence_files": ["LICENSE"],
        "urls": {
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet.js",
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet.css",
        },
        "used_by": "folium.Map (default_js, default_css)",
    },
    {
        "spec": "jquery@3.7.1",
        "dest": "jquery-3.7.1",
        "licence": "MIT",
        "files": {"dist/jquery.min.js": "jquery.min.js"},
        "licence_files": ["LICENSE.txt"],
        "urls": {
            "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
            # same file, listed by TimestampedGeoJson / TimestampedWmsTileLayers
            "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": "jquery.min.js",
        },
        "used_by": "folium.Map (default_js); plugins.TimestampedGeoJson (cdnjs alias)",
    },
    {
        "spec": "bootstrap@5.2.2",
        "dest": "bootstrap-5.2.2",
        "licence": "MIT",
        "files": {
            "dist/js/bootstrap.bundle.min.js": "js/bootstrap.bundle.min.js",
            "dist/css/bootstrap.min.css": "css/bootstrap.min.css",
        },
        "licence_files": ["LICENSE"],
        "urls": {
            "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": "js/bootstrap.bundle.min.js",
            "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "css/bootstrap.min.css",
        },
        "used_by": "folium.Map (default_js, default_css)",
    },
    {
        # netdna's bootstrap/3.0.0/css/bootstrap-glyphicons.css is not on npm
        # (bootstrap 3.0.0 was never published there).  We generate a
        # glyphicons-only stylesheet from bootstrap@3.4.1's dist CSS (same
        # approach folium itself later adopted, GH-1820) plus its fonts.
        "spec": "bootstrap@3.4.1",
        "dest": "bootstrap-3.4.1",
        "licence": "MIT",
        "files": {
            "dist/fonts/glyphicons-halflings-regular.woff2": "fonts/glyphicons-halflings-regular.woff2",
            "dist/fonts/glyphicons-halflings-regular.woff": "fonts/glyphicons-halflings-regular.woff",
            "dist/fonts/glyphicons-halflings-regular.ttf": "fonts/glyphicons-halflings-regular.ttf",
        },
        "generate": "glyphicons",
        "licence_files": ["LICENSE"],
        "urls": {
            "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": "css/bootstrap-glyphicons.css",
        },
        "used_by": "folium.Map (default_css) - glyphicon icons of folium.Icon (default prefix)",
        "note": "substitute: glyphicons-only CSS generated from bootstrap@3.4.1 dist/css/bootstrap.css "
        "(3.0.0 is not on npm); fonts woff2/woff/ttf",
    },
    {
        "spec": "@fortawesome/fontawesome-free@6.2.0",
        "dest": "fontawesome-free-6.2.0",
        "licence": "CC-BY-4.0 (icons), OFL-1.1 (fonts), MIT (code)",
        "files": {
            "css/all.min.css": "css/all.min.css",
            "webfonts/fa-brands-400.woff2": "webfonts/fa-brands-400.woff2",
            "webfonts/fa-brands-400.ttf": "webfonts/fa-brands-400.ttf",
            "webfonts/fa-regular-400.woff2": "webfonts/fa-regular-400.woff2",
            "webfonts/fa-regular-400.ttf": "webfonts/fa-regular-400.ttf",
            "webfonts/fa-solid-900.woff2": "webfonts/fa-solid-900.woff2",
            "webfonts/fa-solid-900.ttf": "webfonts/fa-solid-900.ttf",
            "webfonts/fa-v4compatibility.woff2": "webfonts/fa-v4compatibility.woff2",
            "webfonts/fa-v4compatibility.ttf": "webfonts/fa-v4compatibility.ttf",
        },
        "licence_files": ["LICENSE.txt"],
        "urls": {
            "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": "css/all.min.css",
        },
        "used_by": "folium.Map (default_css) - fa icons of folium.Icon(prefix='fa'), LocateControl",
    },
    {
        # cdnjs "Leaflet.awesome-markers/2.0.2" = lvoogdt's 2.0.2 release; on npm
        # it is republished unchanged as drmonty-leaflet-awesome-markers@2.0.2.
        "spec": "drmonty-leaflet-awesome-markers@2.0.2",
        "dest": "drmonty-leaflet-awesome-markers-2.0.2",
        "licence": "MIT",
        "files": {
            "js/leaflet.awesome-markers.js": "leaflet.awesome-markers.js",
            "css/leaflet.awesome-markers.css": "leaflet.awesome-markers.css",
            "css/images/markers-soft.png": "images/markers-soft.png",
            "css/images/markers-soft@2x.png": "images/markers-soft@2x.png",
            "css/images/markers-shadow.png": "images/markers-shadow.png",
            "css/images/markers-shadow@2x.png": "images/markers-shadow@2x.png",
        },
        "licence_files": [],
        "licence_text": (
            "Leaflet.AwesomeMarkers 2.0.2 (npm: drmonty-leaflet-awesome-markers@2.0.2)\n"
            "(c) 2012-2013, Lennard Voogdt - https://github.com/lvoogdt/Leaflet.awesome-markers\n\n"
            "The npm package ships no licence file; its package.json declares the MIT licence\n"
            "(http://github.com/lvoogdt/Leaflet.awesome-markers/blob/2.0/develop/LICENSE).\n\n"
            "MIT License\n\n"
            "Permission is hereby granted, free of charge, to any person obtaining a copy of this\n"
            "software and associated documentation files (the \"Software\"), to deal in the Software\n"
            "without restriction, including without limitation the rights to use, copy, modify, merge,\n"
            "publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons\n"
            "to whom the Software is furnished to do so, subject to the following conditions:\n\n"
            "The above copyright notice and this permission notice shall be included in all copies or\n"
            "substantial portions of the Software.\n\n"
            "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,\n"
            "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR\n"
            "PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE\n"
            "FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR\n"
            "OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER\n"
            "DEALINGS IN THE SOFTWARE.\n"
        ),
        "urls": {
            "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": "leaflet.awesome-markers.js",
            "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": "leaflet.awesome-markers.css",
        },
        "used_by": "folium.Map (default_js, default_css) - folium.Icon markers",
        "note": "only the 'soft' marker sprite referenced by the CSS is kept (matte/plain omitted)",
    },
    {
        "spec": "leaflet.markercluster@1.1.0",
        "dest": "leaflet.markercluster-1.1.0",
        "licence": "MIT",
        "files": {
            "dist/leaflet.markercluster.js": "leaflet.markercluster.js",
            "dist/MarkerCluster.css": "MarkerCluster.css",
            "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
        },
        "licence_files": ["MIT-LICENCE.txt"],
        "urls": {
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": "leaflet.markercluster.js",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": "MarkerCluster.css",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": "MarkerCluster.Default.css",
        },
        "used_by": "plugins.MarkerCluster, plugins.FastMarkerCluster (inherits)",
    },
    {
        "spec": "leaflet.fullscreen@3.0.0",
        "dest": "leaflet.fullscreen-3.0.0",
        "licence": "MIT",
        "files": {
            "Control.FullScreen.js": "Control.FullScreen.js",
            "Control.FullScreen.css": "Control.FullScreen.css",
            "icon-fullscreen.svg": "icon-fullscreen.svg",
        },
        "licence_files": ["LICENSE"],
        "urls": {
            # jsDelivr minifies on the fly; npm only ships the unminified file.
            "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": "Control.FullScreen.js",
            "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": "Control.FullScreen.css",
        },
        "used_by": "plugins.Fullscreen",
        "note": "unminified Control.FullScreen.js (the .min.js is generated by jsDelivr, not in the package)",
    },
    {
        # folium points at the unversioned GitHub repo ardhi/Leaflet.MousePosition
        # (src/*.min.*, minified by jsDelivr).  npm has the maintained fork
        # leaflet-mouse-position@1.2.0 with the same API (options used by
        # folium: position, separator, emptyString, lngFirst, numDigits,
        # prefix, lat/lngFormatter).
        "spec": "leaflet-mouse-position@1.2.0",
        "dest": "leaflet-mouse-position-1.2.0",
        "licence": "MIT",
        "files": {
            "src/L.Control.MousePosition.js": "L.Control.MousePosition.js",
            "src/L.Control.MousePosition.css": "L.Control.MousePosition.css",
        },
        "licence_files": ["MIT-LICENCE.txt"],
        "urls": {
            "https://cdn.jsdelivr.net/gh/ardhi/Leaflet.MousePosition/src/L.Control.MousePosition.min.js": "L.Control.MousePosition.js",
            "https://cdn.jsdelivr.net/gh/ardhi/Leaflet.MousePosition/src/L.Control.MousePosition.min.css": "L.Control.MousePosition.css",
        },
        "used_by": "plugins.MousePosition",
        "note": "CDN URL is the unversioned GitHub master; npm fork 1.2.0 used (same API), unminified",
    },
    {
        "spec": "leaflet-measure@2.1.7",
        "dest": "leaflet-measure-2.1.7",
        "licence": "MIT",
        "files": {
            "dist/leaflet-measure.min.js": "leaflet-measure.min.js",
            "dist/leaflet-measure.css": "leaflet-measure.css",
            **{
                f"dist/images/{n}{s}.png": f"images/{n}{s}.png"
                for n in ("cancel", "check", "focus", "rulers", "start", "trash")
                for s in ("", "_@2X")
            },
        },
        "licence_files": ["LICENSE"],
        "urls": {
            "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js": "leaflet-measure.min.js",
            "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css": "leaflet-measure.css",
        },
        "used_by": "plugins.MeasureControl",
        "note": "unminified leaflet-measure.css (no .min.css in the package)",
    },
    {
        "spec": "leaflet.locatecontrol@0.66.2",
        "dest": "leaflet.locatecontrol-0.66.2",
        "licence": "MIT",
        "files": {
            "dist/L.Control.Locate.min.js": "L.Control.Locate.min.js",
            "dist/L.Control.Locate.min.css": "L.Control.Locate.min.css",
        },
        "licence_files": ["LICENSE"],
        "urls": {
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-locatecontrol/0.66.2/L.Control.Locate.min.js": "L.Control.Locate.min.js",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-locatecontrol/0.66.2/L.Control.Locate.min.css": "L.Control.Locate.min.css",
        },
        "used_by": "plugins.LocateControl (icon from Font Awesome)",
    },
    {
        "spec": "leaflet-minimap@3.6.1",
        "dest": "leaflet-minimap-3.6.1",
        "licence": "BSD-2-Clause",
        "files": {
            "src/Control.MiniMap.js": "Control.MiniMap.js",
            "src/Control.MiniMap.css": "Control.MiniMap.css",
            "dist/images/toggle.png": "images/toggle.png",
            "dist/images/toggle.svg": "images/toggle.svg",
        },
        "licence_files": ["LICENSE.txt"],
        "urls": {
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js": "Control.MiniMap.js",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css": "Control.MiniMap.css",
        },
        "used_by": "plugins.MiniMap (needs a tile layer of its own to show anything offline)",
    },
    {
        "spec": "d3@3.5.5",
        "dest": "d3-3.5.5",
        "licence": "BSD-3-Clause",
        "files": {"d3.min.js": "d3.min.js"},
        "licence_files": ["LICENSE"],
        "urls": {
            "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": "d3.min.js",
        },
        "used_by": "branca.colormap.ColorMap (legend; also hard-coded in streamlit_folium.st_folium)",
    },
    {
        # d3js.org/d3.v4.min.js always serves the last 4.x release, 4.13.0.
        "spec": "d3@4.13.0",
        "dest": "d3-4.13.0",
        "licence": "BSD-3-Clause",
        "files": {"build/d3.min.js": "d3.min.js"},
        "licence_files": ["LICENSE"],
        "urls": {
            "https://d3js.org/d3.v4.min.js": "d3.min.js",
        },
        "used_by": "streamlit_folium.st_folium (hard-coded when a branca ColorMap is on the map); plugins.TimeSliderChoropleth",
    },
    {
        # Not npm: these two files belong to folium itself.
        "spec": None,
        "source": "folium",
        "dest": f"folium-{FOLIUM_VERSION}",
        "licence": "MIT",
        "files": {"folium/templates/leaflet_heat.min.js": "leaflet_heat.min.js"},
        "generate": "awesome_rotate",
        "licence_files": ["LICENSE.txt"],
        "urls": {
            "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js": "leaflet_heat.min.js",
            "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": "leaflet.awesome.rotate.min.css",
        },
        "used_by": "folium.Map (default_css: awesome_rotate_css); plugins.HeatMap",
        "note": "leaflet_heat.min.js copied from the folium wheel; leaflet.awesome.rotate.min.css regenerated "
        "(.fa-rotate-1 .. .fa-rotate-360, as in folium's templates/leaflet.awesome.rotate.css)",
    },
    {
        # Not a folium asset: Basewatch's own "Download PNG" map control (basewatch.views.maps.export.MapExport)
        # declares this jsDelivr URL so that it is swapped for the local copy like folium's own.
        "spec": "html-to-image@1.11.13",
        "dest": "html-to-image-1.11.13",
        "licence": "MIT",
        "files": {"dist/html-to-image.js": "html-to-image.js"},
        "licence_files": ["LICENSE"],
        "urls": {
            "https://cdn.jsdelivr.net/npm/html-to-image@1.11.13/dist/html-to-image.js": "html-to-image.js",
        },
        "used_by": "basewatch.views.maps.export.MapExport (the map's Download PNG control)",
    },
    {
        # Test-only: tests/browser/test_a11y.py injects it into every page. No CDN URL, no manifest entry.
        "spec": "axe-core@4.14.1",
        "dest": "axe-core-4.14.1",
        "licence": "MPL-2.0",
        "files": {"axe.min.js": "axe.min.js"},
        "licence_files": ["LICENSE", "LICENSE-3RD-PARTY.txt"],
        "urls": {},
        "used_by": "tests/browser/test_a11y.py (accessibility check injected into each page; not loaded by the app)",
    },
    {
        # The Arabic interface's web font. Only the Arabic-script subset in weights 400 and 700, woff2 only:
        # Latin text keeps the app's own font. No CDN URL, no manifest entry: the app links the generated
        # stylesheet itself.
        "spec": "@fontsource/noto-sans-arabic@5.3.0",
        "dest": "noto-sans-arabic-5.3.0",
        "licence": "OFL-1.1",
        "files": {
            f"files/noto-sans-arabic-arabic-{w}-normal.woff2": f"files/noto-sans-arabic-arabic-{w}-normal.woff2"
            for w in ARABIC_WEB_WEIGHTS
        },
        "generate": "fontsource_css",
        "licence_files": ["LICENSE"],
        "urls": {},
        "used_by": "the Arabic interface (lang=ar, planned): `noto-sans-arabic.css` declares the family "
        "'Noto Sans Arabic' for weights 400 and 700",
        "note": "Arabic subset only, woff2 only; `noto-sans-arabic.css` is regenerated from the package's "
        "arabic-400.css and arabic-700.css without their woff fallback, with the subset's unicode-range "
        "from its unicode.json",
    },
    {
        # The same family as static TrueType files, for charts rendered on the server: vl-convert
        # (resvg) reads TTF/OTF, not woff2. Expo's package ships Google Fonts' static instances.
        "spec": "@expo-google-fonts/noto-sans-arabic@0.4.3",
        "dest": "noto-sans-arabic-ttf-0.4.3",
        "licence": "OFL-1.1 (font)",
        "files": {
            "400Regular/NotoSansArabic_400Regular.ttf": "NotoSansArabic-Regular.ttf",
            "700Bold/NotoSansArabic_700Bold.ttf": "NotoSansArabic-Bold.ttf",
        },
        "licence_files": ["LICENSE_FONT"],
        "urls": {},
        "used_by": "Arabic PNG/SVG/PDF chart exports (planned: `vl_convert.register_font_directory` on this "
        "folder); tools/arabic_font_check.py",
        "note": "the two static TTF instances only (renamed); the package's JavaScript, preview images and "
        "MIT licence for that code are not vendored. LICENSE_FONT is the font's OFL",
    },
]

# folium classes whose default_js/default_css the app may use; --check reports
# any URL of theirs that is not in the table above.
CHECKED_CLASSES = [
    "folium.Map",
    "folium.plugins.MarkerCluster",
    "folium.plugins.FastMarkerCluster",
    "folium.plugins.Fullscreen",
    "folium.plugins.MousePosition",
    "folium.plugins.MeasureControl",
    "folium.plugins.LocateControl",
    "folium.plugins.MiniMap",
    "folium.plugins.HeatMap",
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def npm_pack(spec: str, workdir: Path) -> Path:
    """Download ``spec`` with ``npm pack`` into ``workdir``; return the tarball."""
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    info = json.loads(out)
    return workdir / info[0]["filename"]


class Tarball:
    """Read members of an npm tarball (everything lives below ``package/``)."""

    def __init__(self, path: Path):
        self._tf = tarfile.open(path, "r:gz")
        self._members = {}
        for m in self._tf.getmembers():
            if m.isfile():
                name = m.name.split("/", 1)[1] if "/" in m.name else m.name
                self._members[name] = m

    def read(self, name: str) -> bytes:
        if name not in self._members:
            raise SystemExit(f"file {name!r} not found in tarball {self._tf.name}")
        f = self._tf.extractfile(self._members[name])
        assert f is not None
        return f.read()

    def has(self, name: str) -> bool:
        return name in self._members


class FoliumSource:
    """Files of the folium distribution (installed package, else wheel via pip)."""

    def __init__(self, workdir: Path):
        self.version = None
        self._root = None
        self._zip = None
        try:
            import importlib.metadata as md

            import folium  # noqa: F401

            self.version = md.version("folium")
            if self.version == FOLIUM_VERSION:
                self._root = Path(folium.__file__).resolve().parent.parent
                self._dist = md.distribution("folium")
        except Exception:  # noqa: BLE001 - folium simply not importable
            pass
        if self._root is None:
            log(f"folium {FOLIUM_VERSION} not importable here; fetching the wheel with pip download")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                 "-d", str(workdir), f"folium=={FOLIUM_VERSION}"],
                check=True,
            )
            wheel = next(workdir.glob(f"folium-{FOLIUM_VERSION}-*.whl"))
            self._zip = zipfile.ZipFile(wheel)
            self.version = FOLIUM_VERSION

    def read(self, name: str) -> bytes:
        if name == "LICENSE.txt":
            return self._licence()
        if self._zip is not None:
            return self._zip.read(name)
        return (self._root / name).read_bytes()

    def _licence(self) -> bytes:
        if self._zip is not None:
            for n in self._zip.namelist():
                if re.search(r"\.dist-info/(licenses/)?LICENSE", n):
                    return self._zip.read(n)
        else:
            for f in self._dist.files or []:
                if re.search(r"LICENSE", str(f)):
                    return Path(self._dist.locate_file(f)).read_bytes()
        raise SystemExit("folium licence file not found")


def generate_glyphicons_css(bootstrap_css: str, version: str) -> str:
    """Extract the @font-face + .glyphicon* rules from Bootstrap 3's dist CSS."""
    start = bootstrap_css.index('@font-face {\n  font-family: "Glyphicons Halflings";')
    rules = []
    pos = start
    while True:
        end = bootstrap_css.index("}\n", pos) + 2
        rule = bootstrap_css[pos:end]
        head = rule.lstrip()
        if not (head.startswith("@font-face") or head.startswith(".glyphicon")):
            break
        rules.append(rule)
        pos = end
    css = "".join(rules)
    # Keep only the font formats we ship (woff2, woff, ttf): every url() resolves.
    css = re.sub(
        r'  src: url\("\.\./fonts/glyphicons-halflings-regular\.eot"\);\n', "", css)
    css = css.replace(
        'url("../fonts/glyphicons-halflings-regular.eot?#iefix") format("embedded-opentype"), ', "")
    css = css.replace(
        ', url("../fonts/glyphicons-halflings-regular.svg#glyphicons_halflingsregular") format("svg")', "")
    header = (
        "/*!\n"
        f" * Glyphicons Halflings rules extracted from Bootstrap v{version} dist/css/bootstrap.css\n"
        " * by scripts/vendor_assets.py (offline stand-in for netdna's bootstrap/3.0.0/css/bootstrap-glyphicons.css).\n"
        " * Copyright 2011-2019 Twitter, Inc. Licensed under MIT (see ../LICENSE).\n"
        " * Glyphicons Halflings font: http://glyphicons.com/ , free for Bootstrap users.\n"
        " */\n"
    )
    return header + css


def generate_fontsource_css(read, family_slug: str, subset: str, weights, version: str) -> str:
    """@font-face rules of one Fontsource subset and the given weights, woff2 only.

    Each rule is taken from the package's `<subset>-<weight>.css` (same family name, weight and display);
    the woff fallback is dropped, because only the woff2 files are vendored, and the subset's
    unicode-range from the package's unicode.json is added (the per-subset files leave it out), so the
    browser fetches the font only for Arabic text and takes Latin letters and digits from the next font.
    """
    unicode_range = json.loads(read("unicode.json"))[subset]
    rules = []
    for weight in weights:
        css = read(f"{subset}-{weight}.css").decode("utf-8")
        css = re.sub(r",\s*url\([^)]*\.woff\)\s*format\(['\"]woff['\"]\)", "", css)
        if ".woff)" in css or "unicode-range" in css or f"{family_slug}-{subset}-{weight}-normal.woff2" not in css:
            raise SystemExit(f"unexpected @font-face rule in {subset}-{weight}.css: {css!r}")
        css = css.strip()
        if not css.endswith("}"):
            raise SystemExit(f"unexpected end of {subset}-{weight}.css")
        rules.append(css[:-1].rstrip() + f"\n  unicode-range: {unicode_range};\n}}\n")
    header = (
        "/*!\n"
        f" * {family_slug} {version} (Fontsource), subset '{subset}', weights {', '.join(map(str, weights))}:\n"
        " * @font-face rules regenerated by scripts/vendor_assets.py, woff2 only.\n"
        " * Font licensed under the SIL Open Font License 1.1 (see LICENSE).\n"
        " */\n"
    )
    return header + "\n".join(rules)


def generate_awesome_rotate_css() -> str:
    return "".join(
        f".fa-rotate-{i}{{-ms-transform:rotate({i}deg);-webkit-transform:rotate({i}deg);transform:rotate({i}deg)}}"
        for i in range(1, 361)
    ) + "\n"


CSS_URL_RE = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def check_css_urls(css_path: Path) -> list[str]:
    """Return relative url(...) references of a CSS file that do not resolve."""
    missing = []
    text = css_path.read_text(encoding="utf-8", errors="replace")
    for _, ref in CSS_URL_RE.findall(text):
        ref = ref.strip()
        if ref.startswith(("data:", "#", "http:", "https:", "//")):
            continue
        target = (css_path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            missing.append(ref)
    return sorted(set(missing))


# ---------------------------------------------------------------------------
# Task 1: vendor JS/CSS
# ---------------------------------------------------------------------------
def vendor(workdir: Path) -> dict[str, str]:
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    manifest: dict[str, str] = {}
    folium_src = None
    for pkg in PACKAGES:
        dest = VENDOR / pkg["dest"]
        dest.mkdir(parents=True)
        if pkg.get("source") == "folium":
            folium_src = folium_src or FoliumSource(workdir)
            src = folium_src
            pkg["resolved_version"] = folium_src.version
        else:
            log(f"npm pack {pkg['spec']}")
            src = Tarball(npm_pack(pkg["spec"], workdir))
            pkg["resolved_version"] = json.loads(src.read("package.json"))["version"]
            want = pkg["spec"].rsplit("@", 1)[1]
            if pkg["resolved_version"] != want:
                raise SystemExit(f"{pkg['spec']}: npm returned {pkg['resolved_version']}")
        for inner, out in pkg["files"].items():
            target = dest / out
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(src.read(inner))
        for lic in pkg["licence_files"]:
            (dest / Path(lic).name).write_bytes(src.read(lic))
        if pkg.get("licence_text"):
            (dest / "LICENSE.txt").write_text(pkg["licence_text"], encoding="utf-8")
        gen = pkg.get("generate")
        if gen == "glyphicons":
            css = generate_glyphicons_css(
                src.read("dist/css/bootstrap.css").decode("utf-8"), pkg["resolved_version"])
            (dest / "css").mkdir(exist_ok=True)
            (dest / "css/bootstrap-glyphicons.css").write_text(css, encoding="utf-8")
        elif gen == "fontsource_css":
            family_slug = pkg["spec"].rsplit("@", 1)[0].split("/")[-1]
            (dest / f"{family_slug}.css").write_text(
                generate_fontsource_css(src.read, family_slug, "arabic", ARABIC_WEB_WEIGHTS,
                                        pkg["resolved_version"]), encoding="utf-8")
        elif gen == "awesome_rotate":
            (dest / "leaflet.awesome.rotate.min.css").write_text(
                generate_awesome_rotate_css(), encoding="utf-8")
        for url, out in pkg["urls"].items():
            if not (dest / out).is_file():
                raise SystemExit(f"{url} -> {out}: file not vendored")
            manifest[url] = f"vendor/{pkg['dest']}/{out}"

    # every relative url(...) in every vendored CSS file must resolve
    bad = {}
    for css in VENDOR.rglob("*.css"):
        missing = check_css_urls(css)
        if missing:
            bad[str(css.relative_to(STATIC))] = missing
    if bad:
        raise SystemExit(f"unresolved url(...) references in vendored CSS: {bad}")

    (VENDOR / "manifest.json").write_text(
        json.dumps(dict(sorted(manifest.items())), indent=2) + "\n", encoding="utf-8")
    return manifest


# ---------------------------------------------------------------------------
# Cross-check against the installed folium / branca / streamlit-folium
# ---------------------------------------------------------------------------
def cross_check(manifest: dict[str, str]) -> list[str]:
    """Return report lines; lists URLs of CHECKED_CLASSES missing from the manifest."""
    lines = []
    try:
        import importlib

        import folium
        import folium.plugins  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        return [f"(cross-check skipped: folium not importable: {exc})"]
    if folium.__version__ != FOLIUM_VERSION:
        lines.append(f"WARNING: installed folium {folium.__version__} != table's {FOLIUM_VERSION}")
    for dotted in CHECKED_CLASSES:
        mod, _, name = dotted.rpartition(".")
        cls = getattr(importlib.import_module(mod), name)
        for attr in ("default_js", "default_css"):
            for _, url in getattr(cls, attr, []):
                if url not in manifest:
                    lines.append(f"MISSING {dotted}.{attr}: {url}")
    # every other folium class with CDN assets (informational)
    import inspect
    import pkgutil

    others = set()
    mods = [folium] + [importlib.import_module(f"folium.{m.name}") for m in pkgutil.iter_modules(folium.__path__)]
    mods += [importlib.import_module(f"folium.plugins.{m.name}")
             for m in pkgutil.iter_modules(folium.plugins.__path__)]
    for m in mods:
        for _, cls in inspect.getmembers(m, inspect.isclass):
            for attr in ("default_js", "default_css"):
                for _, url in cls.__dict__.get(attr, []) or []:
                    if url not in manifest:
                        others.add(f"{cls.__module__}.{cls.__name__}: {url}")
    if others:
        lines.append("not vendored (other folium classes):")
        lines += [f"  {o}" for o in sorted(others)]
    return lines


# ---------------------------------------------------------------------------
# Task 2: basemap from world-atlas TopoJSON
# ---------------------------------------------------------------------------
def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(p[0], p[1]) for p in arc]
        arcs.append(pts)
    return arcs


def ring_from_arcs(indexes: list[int], arcs) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        pts = arcs[~i][::-1] if i < 0 else arcs[i]
        if ring:
            ring.pop()  # shared point with the previous arc
        ring.extend(pts)
    return ring


def clean_ring(ring, nd: int):
    out = []
    for x, y in ring:
        p = (round(x, nd), round(y, nd))
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4:
        return None
    return [[x, y] for x, y in out]


def bbox_intersects(rings, region) -> bool:
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    return not (max(xs) < region[0] or min(xs) > region[2] or max(ys) < region[1] or min(ys) > region[3])


def topo_countries_to_geojson(topo: dict, region, nd: int) -> dict:
    arcs = decode_arcs(topo)
    feats = []
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("type") == "Polygon":
            polys = [g["arcs"]]
        elif g.get("type") == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue  # null geometry
        kept = []
        for poly in polys:
            rings = [ring_from_arcs(r, arcs) for r in poly]
            # keep only the parts of a country that touch the region (drops e.g.
            # overseas territories and antimeridian-crossing bits)
            if not bbox_intersects(rings[:1], region):
                continue
            cleaned = [clean_ring(r, nd) for r in rings]
            if cleaned[0] is None:
                continue
            kept.append([c for c in cleaned if c is not None])
        if not kept:
            continue
        geom = ({"type": "Polygon", "coordinates": kept[0]} if len(kept) == 1
                else {"type": "MultiPolygon", "coordinates": kept})
        props = g.get("properties") or {}
        fid = g.get("id")
        feat = {"type": "Feature", "properties": {"name": props.get("name"), "id": fid}, "geometry": geom}
        if fid is not None:
            feat["id"] = fid
        feats.append(feat)
    feats.sort(key=lambda f: f["properties"]["name"] or "")
    return {"type": "FeatureCollection", "features": feats}


def validate_geojson(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    n = 0
    for f in data["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            for ring in poly:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise SystemExit(f"unclosed/short ring in {f['properties']['name']}")
                n += 1
    return n


def basemap(workdir: Path) -> dict:
    if BASEMAP.exists():
        shutil.rmtree(BASEMAP)
    BASEMAP.mkdir(parents=True)
    log(f"npm pack {WORLD_ATLAS_SPEC}")
    tb = Tarball(npm_pack(WORLD_ATLAS_SPEC, workdir))
    pkg_json = json.loads(tb.read("package.json"))
    readme = tb.read("README.md").decode("utf-8")
    m = re.search(r"vector data\]\([^)]*\),\s*version ([0-9.]+)", readme)
    ne_version = m.group(1) if m else "unknown"
    chosen = None
    for res in ("50m", "110m"):
        topo = json.loads(tb.read(f"countries-{res}.json"))
        gj = topo_countries_to_geojson(topo, REGION, COORD_DECIMALS)
        text = json.dumps(gj, separators=(",", ":"), ensure_ascii=False) + "\n"
        size = len(text.encode("utf-8"))
        log(f"countries-{res}: {len(gj['features'])} features, {size} bytes")
        if size <= BASEMAP_MAX_BYTES or res == "110m":
            chosen = (res, gj, text, size)
            break
    res, gj, text, size = chosen
    out = BASEMAP / "countries.geojson"
    out.write_text(text, encoding="utf-8")
    (BASEMAP / "LICENSE-world-atlas.txt").write_bytes(tb.read("LICENSE"))
    rings = validate_geojson(out)
    info = {
        "resolution": res, "features": len(gj["features"]), "rings": rings, "bytes": size,
        "ne_version": ne_version, "pkg_version": pkg_json["version"], "pkg_licence": pkg_json["license"],
        "names": [f["properties"]["name"] for f in gj["features"]],
    }
    write_basemap_readme(info)
    return info


def write_basemap_readme(info: dict) -> None:
    names = ", ".join(info["names"])
    (BASEMAP / "README.md").write_text(f"""# Offline basemap: country outlines

`countries.geojson` - {info['features']} countries ({info['rings']} rings, {info['bytes'] // 1024} KB),
the only base layer the offline dashboard needs (no tile server).

| | |
|---|---|
| Data | [Natural Earth](https://www.naturalearthdata.com/) Admin 0 - Countries, **1:{info['resolution'][:-1]} million** ({info['resolution']}), Natural Earth version **{info['ne_version']}** (as stated by world-atlas' README) |
| Data licence | Public domain (Natural Earth terms of use: "All versions of Natural Earth raster + vector map data found on this website are in the public domain") |
| Packaging | npm package `world-atlas@{info['pkg_version']}` (TopoJSON, `countries-{info['resolution']}.json`), licence {info['pkg_licence']} (see `LICENSE-world-atlas.txt`) |
| Made by | `python scripts/vendor_assets.py` (stdlib TopoJSON -> GeoJSON decoding) |

## How it was made
1. `npm pack {WORLD_ATLAS_SPEC}`; read `countries-50m.json` (falls back to `countries-110m.json`
   if the output would exceed {BASEMAP_MAX_BYTES // 1024} KB).
2. Decode the quantized, delta-encoded arcs with the topology `transform` (scale, translate);
   a negative arc index `~i` means arc `i` reversed; Polygon and MultiPolygon geometries.
3. Keep each country polygon (part) whose bounding box intersects lon {REGION[0]}..{REGION[2]},
   lat {REGION[1]}..{REGION[3]} (Mediterranean, North/East Africa incl. Sudan, Red Sea, Middle East,
   Black Sea, European Russia); parts elsewhere (e.g. overseas territories) are dropped, countries
   crossing the region keep their whole polygon (e.g. all of mainland Russia).
4. Round coordinates to {COORD_DECIMALS} decimals, drop repeated points, close every ring, drop rings
   with fewer than 4 positions.
5. Properties: `name` (English name as in the data) and `id` (ISO 3166-1 numeric code as a string,
   `null` where Natural Earth has none, e.g. Kosovo, N. Cyprus, Somaliland); the feature `id` is set
   when present.

Coordinates are WGS84 lon/lat (GeoJSON order). Served by Streamlit at `/app/static/basemap/countries.geojson`.

## Countries
{names}
""", encoding="utf-8")


# ---------------------------------------------------------------------------
# static/README.md
# ---------------------------------------------------------------------------
def write_static_readme(manifest: dict[str, str], check_lines: list[str]) -> None:
    rows = []
    for pkg in PACKAGES:
        dest = VENDOR / pkg["dest"]
        files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
        size = sum((dest / f).stat().st_size for f in files)
        src = f"npm `{pkg['spec']}`" if pkg["spec"] else f"folium {pkg.get('resolved_version')} wheel"
        note = f"<br>*{pkg['note']}*" if pkg.get("note") else ""
        rows.append(
            f"| `vendor/{pkg['dest']}/` | {src} | {pkg['licence']} | "
            f"{', '.join(f'`{f}`' for f in files)} ({size // 1024} KB) | {pkg['used_by']}{note} |")
    total = sum(p.stat().st_size for p in STATIC.rglob("*") if p.is_file())
    not_vendored = "\n".join(f"    {l}" for l in check_lines) or "    (none)"
    (STATIC / "README.md").write_text(f"""# static/ - offline browser assets

Served by Streamlit at `/app/static/` (`server.enableStaticServing = true`; Streamlit looks for
`static/` next to the main script). Everything here is generated by
`python scripts/vendor_assets.py` - do not edit by hand; change the table in that script and re-run.

* `vendor/` - the JS/CSS (and their images/fonts) that folium {FOLIUM_VERSION}, branca and
  streamlit-folium would load from CDNs, same versions, fetched from the npm registry; plus
  html-to-image (the map's Download PNG control), axe-core (accessibility tests only) and the
  Noto Sans Arabic font: woff2 for the browser, TTF for charts rendered on the server.
* `vendor/manifest.json` - original CDN URL (exactly as folium lists it) -> path relative to
  `static/`; the app rewrites folium's `default_js` / `default_css` through it to
  `/app/static/<path>`.
* `basemap/` - Natural Earth country outlines (GeoJSON), see `basemap/README.md`.

Total size: about {total // 1024} KB.

| folder | source | licence | files | referenced by |
|---|---|---|---|---|
{chr(10).join(rows)}

Every relative `url(...)` in the vendored CSS resolves to a vendored file (checked by the script).
Source maps are not vendored (the `sourceMappingURL` comments only matter with devtools open).

## Not vendored
Assets of folium classes the dashboard is not expected to use (Draw, Geocoder, GeoMan, Search,
TimestampedGeoJson, Timeline, Vega, TopoJson, ...). streamlit-folium rejects the whole map if
one script fails to load offline, so add a package to the script before using such a class.
Output of the script's cross-check when this folder was generated:

{not_vendored}
""", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only cross-check folium's URL lists with the table")
    ap.add_argument("--skip-basemap", action="store_true")
    ap.add_argument("--skip-vendor", action="store_true")
    args = ap.parse_args()

    if args.check:
        manifest = {u: "" for p in PACKAGES for u in p["urls"]}
        for line in cross_check(manifest):
            print(line)
        return 0

    STATIC.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vendor_assets_") as tmp:
        workdir = Path(tmp)
        if not args.skip_vendor:
            manifest = vendor(workdir)
        else:
            manifest = json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))
        if not args.skip_basemap:
            info = basemap(workdir)
            log(f"basemap: {info['resolution']}, {info['features']} features, {info['bytes']} bytes")
    check_lines = [l for l in cross_check(manifest)]
    if not args.skip_vendor:
        write_static_readme(manifest, check_lines)
    missing = [l for l in check_lines if l.startswith("MISSING")]
    for l in check_lines:
        log(l)
    total = sum(p.stat().st_size for p in STATIC.rglob("*") if p.is_file())
    log(f"static/: {total} bytes, {len(manifest)} manifest entries")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
