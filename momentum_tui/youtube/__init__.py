"""YouTube: the Data API client, channel feeds, the quota ledger, importers and the sync engine.

This layer never imports `textual`; the app drives it from a thread worker.
"""
