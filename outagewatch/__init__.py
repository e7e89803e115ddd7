"""OutageWatch: early, explainable outage signals from public social media posts."""

__version__ = "0.1.0"
