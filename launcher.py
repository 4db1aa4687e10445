"""Basewatch with its HTTP routes beside the app: `streamlit run launcher.py` (what `python -m basewatch.serve` runs).

A plain `streamlit run app.py` serves the same pages without the extra routes (no per-view head tags, no
preview images); the share box then offers no preview image in its embed snippet.
"""

import os

import streamlit as st

from basewatch.config import WEB_ROUTES_ENV
from basewatch.web.app import lifespan, routes

os.environ[WEB_ROUTES_ENV] = "1"  # tells the pages (same process) that the preview images exist
app = st.App("app.py", routes=routes(), lifespan=lifespan)
