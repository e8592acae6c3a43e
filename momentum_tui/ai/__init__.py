"""Labels for videos: the offline classifier, Claude (standard and batch), and the ledger.

Core layer: nothing here imports `textual`. `local` labels everything offline and fast;
`claude` replaces those labels with better ones, batched, cached by content hash and
within the person's budget (`batches` does the same at half price); `ledger` counts every
token and dollar; `queries` holds every SQL statement of the package. Turning a sentence
into a feed rule is `rules.claude`.
"""
