"""One demo run per test session, shared by the demo, notebook and browser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from outagewatch.demo.run import DemoResult, run_demo
from tests.dashboard.test_browser import browser, page  # noqa: F401 (the browser fixtures, shared)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, Path]:
    folder = tmp_path_factory.mktemp("demo")
    return run_demo(folder), folder
