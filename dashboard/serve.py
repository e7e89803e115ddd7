"""Run Streamlit with st.navigation (app.py) in charge from the very first request.

Streamlit decides once per process whether an app "uses a pages directory" (the old multipage
mode) by looking for a ``pages/`` folder beside the main script; only a run of ``st.navigation``
turns that off. If the first visitor after a restart opens a deep link such as ``/map``, the old
mode runs ``pages/map.py`` on its own, without app.py: wrong navigation, no page config, for
every later session too. Our pages live in ``dashboard/pages/``, so the launcher switches the
old mode off before the server starts. It also warms the process (see warmup.py), so the first
visitor after a start does not pay for imports and cold caches.
Usage: ``python -m dashboard.serve run dashboard/app.py ...``
"""

from __future__ import annotations

import os
import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from dashboard import warmup

PRIME_ENV = "OUTAGEWATCH_DASHBOARD_PRIME"  # "0": no cache priming (benchmarks measure cold reads)


def main(argv: list[str]) -> None:
    """Start the Streamlit CLI with ``argv`` (e.g. ``run app.py --server.port 8501``)."""
    PagesManager.uses_pages_directory = False
    warmup.preload()
    if os.environ.get(PRIME_ENV, "1") != "0":
        warmup.start_priming()
    sys.argv = ["streamlit", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
