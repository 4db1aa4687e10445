"""Screenshot every page at desktop and phone size: python scripts/screenshots.py [OUT_DIR] [DATA_DIR].

Writes <page>-desktop.png (1400×900) and <page>-phone.png (390×844), full page, for the overview,
map, timeline, a site profile (Hmeimim) and the data page, in English and again in Arabic (right to
left) and Russian (<page>-ar-*.png, <page>-ru-*.png), and <page>-preview.png, the link preview a chat
shows for it (the image its og:image names), plus previews of the shared links in PREVIEWS. Look at
every one before a view change is called done.
"""

import html
import re
import sys
import urllib.request
from urllib.parse import urlsplit

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

ENGLISH = {"overview": "", "map": "map", "timeline": "timeline", "site-hmeimim": "sites?site=hmeimim", "data": "data"}
LANGUAGES = ("ar", "ru")
PAGES = {**ENGLISH, **{f"{name}-{lang}": path + ("&" if "?" in path else "?") + f"lang={lang}"
                       for lang in LANGUAGES for name, path in ENGLISH.items()}}
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
# Shared links whose previews are worth a look besides the pages' own (name → path and query).
PREVIEWS = {"map-russia-since-dec-2024": "map?actor=russia&from=2024-12-01", "timeline-russia": "timeline?actor=russia",
            "map-libya": "map?country=ly", "map-event": "map?event=ev-0117"}
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg.marks'


def shoot(browser, url: str, path: Path, size: tuple[int, int]) -> None:
    """Open `url` at `size`, wait until its map and charts are drawn, save a full-page PNG."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    try:
        page.goto(url)
        page.wait_for_selector(DONE, state="attached", timeout=60000)
        if page.locator(MAP_IFRAME).count():
            frame = page.wait_for_selector(MAP_IFRAME, timeout=60000).content_frame()
            frame.wait_for_function("() => !!window.map && !!document.querySelector('.leaflet-overlay-pane')",
                                    timeout=60000)
        if page.locator('[data-testid="stVegaLiteChart"]').count():
            page.wait_for_selector(CHART, timeout=60000)
        page.wait_for_selector(DONE, state="attached", timeout=60000)
        page.wait_for_timeout(1500)  # fonts, the basemap fetch and Vega's first paint; screenshots only
        # Streamlit scrolls inside its own container, so a "full page" shot would stop at the
        # viewport: grow the window to the content's height first (the first screen is unchanged).
        height = page.evaluate("""() => Math.max(...Array.from(document.querySelectorAll(
            '[data-testid=stMain], [data-testid=stAppViewContainer], [data-testid=stSidebarContent]'))
            .map(e => e.scrollHeight), window.innerHeight)""")
        if height > size[1]:
            page.set_viewport_size({"width": size[0], "height": min(int(height) + 40, 12000)})
            page.wait_for_timeout(1000)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.close()


def save_preview(base: str, path: str, target: Path) -> None:
    """The preview image a link's head names (og:image), as a chat fetches it."""
    with urllib.request.urlopen(f"{base}/{path}", timeout=60) as response:
        page = response.read().decode("utf-8")
    image = urlsplit(html.unescape(re.search(r'<meta property="og:image" content="([^"]+)"', page).group(1)))
    # From this server, whatever public address (BASEWATCH_PUBLIC_URL) the tags name.
    with urllib.request.urlopen(f"{base}{image.path}?{image.query}", timeout=120) as response:
        target.write_bytes(response.read())


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    data = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server(data) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size_name, size in SIZES.items():
                for name, path in PAGES.items():
                    target = out / f"{name}-{size_name}.png"
                    shoot(browser, f"{base}/{path}", target, size)
                    print(target)
            for name, path in {**PAGES, **PREVIEWS}.items():
                target = out / f"{name}-preview.png"
                save_preview(base, path, target)
                print(target)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
