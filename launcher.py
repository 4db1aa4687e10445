"""Basewatch with its HTTP routes beside the app: `streamlit run launcher.py` (what `python -m basewatch.serve` runs).

A plain `streamlit run app.py` serves the same pages without the extra routes.
"""

import streamlit as st

from basewatch.web.app import routes

app = st.App("app.py", routes=routes())
