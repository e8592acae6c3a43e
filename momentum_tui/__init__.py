"""Momentum: follow the YouTube creators you care about, from the terminal."""

__version__ = "0.1.0"
