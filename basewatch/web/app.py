"""The HTTP routes that answer beside the Streamlit app, in one Starlette process (Streamlit 1.67's st.App).

`launcher.py` at the repository root builds `st.App("app.py", routes=routes(), lifespan=lifespan)`;
`python -m basewatch.serve` (make run, Docker, the nginx replicas) starts it with `streamlit run
launcher.py`, so every `--server.*` option and `STREAMLIT_*` variable still applies. A plain `streamlit
run app.py` (Community Cloud) serves the same pages without these routes. This floor reuses the loader,
the state and the views; it never imports the shell or page scripts.

Routes do not see `server.baseUrlPath`: behind a path prefix, set BASEWATCH_PUBLIC_URL (or send
X-Forwarded-Prefix) so the links they write point where readers are.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from starlette.routing import BaseRoute

from basewatch.web import api, feeds, head, previews, status


def routes() -> list[BaseRoute]:
    """Every route of the web layer, in the order Starlette tries them (before Streamlit's own)."""
    return [*status.routes(), *api.routes(), *feeds.routes(), *previews.routes(), *head.routes()]


@asynccontextmanager
async def lifespan(app):
    """Start the preview worker with the server (its generic card is ready before the first reader) and stop it."""
    previews.renderer.start()
    try:
        yield
    finally:
        previews.renderer.stop()
