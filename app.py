"""Basewatch entry point: registers the pages. The chrome every page runs is basewatch.shell.chrome.page_setup."""

import streamlit as st

from basewatch.state.pages import PAGES

navigation = st.navigation(
    [st.Page(p.script, title=p.title, url_path=p.url_path or None, default=not p.url_path) for p in PAGES],
    position="hidden",  # our own sidebar links carry the filters; Streamlit's would drop them
)
navigation.run()
