"""Run Streamlit with st.navigation (app.py) in charge from the very first request.

Streamlit decides once per process whether an app "uses a pages directory" (the old multipage
mode) by looking for a ``pages/`` folder beside the main script; only a run of ``st.navigation``
turns that off. If the first visitor after a restart opens a deep link such as ``/map``, the old
mode runs ``pages/map.py`` on its own, without app.py: wrong navigation, no page config, for
every later session too. Our pages live in ``dashboard/pages/``, so the launcher switches the
old mode off before the server starts. Usage: ``python -m dashboard.serve run dashboard/app.py ...``
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def preload() -> None:
    """Import the heavy modules (pandas, Altair, SQLAlchemy, the detector) before serving.

    The first visitor after a start would otherwise wait for these imports (about two seconds).
    """
    import logging

    # Cached functions defined before the server runs warn "No runtime found": expected here.
    for name in ("cache_data_api", "cache_resource_api"):
        logging.getLogger(f"streamlit.runtime.caching.{name}").setLevel(logging.ERROR)
    from dashboard import charts, data, geo  # noqa: F401

    geo.topology()


def main(argv: list[str]) -> None:
    """Start the Streamlit CLI with ``argv`` (e.g. ``run app.py --server.port 8501``)."""
    PagesManager.uses_pages_directory = False
    preload()
    sys.argv = ["streamlit", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
