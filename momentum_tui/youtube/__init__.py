"""YouTube: API client, feeds, importers, quota ledger and the sync engine."""
