"""Start the app with its heavy modules imported before the server reports healthy.

    python -m basewatch.serve [streamlit run options...]

A shared link often wakes a sleeping deployment, and its first script run would otherwise pay for
importing pandas, folium, Altair and pydantic (about 1.5 s on two cores). Streamlit runs page scripts
in this same process, so modules imported here are already loaded when the first reader arrives.
Streamlit Community Cloud runs `streamlit run app.py` itself; that works too, only the first request
is slower.
"""

from __future__ import annotations

import sys


def preload() -> None:
    """Import the heavy libraries every page needs.

    Nothing that imports Streamlit itself: that would read the configuration before the command
    line options are applied (static serving would stay off) and create caches with no runtime.
    """
    import altair  # noqa: F401
    import folium  # noqa: F401
    import folium.plugins  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    import pydantic  # noqa: F401

    import basewatch.loading.live  # noqa: F401  (pandas + pydantic, no Streamlit)


def main(argv: list[str] | None = None) -> None:
    """Preload, then hand over to `streamlit run launcher.py` (the app plus its HTTP routes) with the given options."""
    from streamlit.web import cli

    from basewatch.config import ROOT

    preload()
    sys.argv = ["streamlit", "run", str(ROOT / "launcher.py"), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
