"""A local server that replays scenarios to the real client libraries (tests and demo)."""
