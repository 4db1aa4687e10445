"""Screenshot every page at desktop and phone size: python scripts/screenshots.py [OUT_DIR] [DATA_DIR]."""

import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

PATHS = ["", "map?actor=russia&from=2024-12-01", "timeline", "sites?site=hmeimim", "data"]
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    data = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server(data) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size_name, (w, h) in SIZES.items():
            for path in PATHS:
                page = browser.new_page(viewport={"width": w, "height": h})
                page.goto(f"{base}/{path}")
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60000)
                if path.startswith(("map", "sites")):
                    frame = page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]').content_frame()
                    frame.wait_for_function("() => !!window.map", timeout=60000)
                page.wait_for_timeout(1500)  # let tiles of the base map and charts paint; screenshots only
                name = (path.split("?")[0] or "overview")
                page.screenshot(path=str(out / f"{name}-{size_name}.png"), full_page=True)
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
