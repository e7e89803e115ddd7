"""`python -m outagewatch` runs the CLI (useful where the console script is not on PATH)."""

from outagewatch.cli import main

main()
