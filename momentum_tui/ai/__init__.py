"""Labels for videos: the offline classifier, Claude (standard and batch), ledger, rules.

Core layer: nothing here imports `textual`. `local` labels everything offline and fast;
`claude` replaces those labels with better ones, batched, cached by content hash and
within the person's budget; `ledger` counts every token and dollar.
"""
