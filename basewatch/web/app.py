"""The HTTP routes that answer beside the Streamlit app, in one Starlette process (Streamlit 1.67's st.App).

`launcher.py` at the repository root builds `st.App("app.py", routes=routes())`; `python -m basewatch.serve`
(make run, Docker, the nginx replicas) starts it with `streamlit run launcher.py`, so every `--server.*`
option and `STREAMLIT_*` variable still applies. A plain `streamlit run app.py` (Community Cloud) serves
the same pages without these routes. This floor reuses the loader, the state and the views; it never
imports the shell or page scripts.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from basewatch.web import api, feeds, status


def routes() -> list[BaseRoute]:
    """Every route of the web layer, in the order Starlette tries them (before Streamlit's own)."""
    return [*status.routes(), *api.routes(), *feeds.routes()]
