"""A local server that replays scenarios to the real client libraries (tests and demo)."""

from collectors.replay.scenario import Scenario, ScenarioPost
from collectors.replay.server import ReplayServer

__all__ = ["ReplayServer", "Scenario", "ScenarioPost"]
