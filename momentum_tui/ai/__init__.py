"""Claude and the offline classifier: labels, prompts, the token ledger."""
