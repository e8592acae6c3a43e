"""Preference sync with the hosted Momentum backend."""
