"""The local recommender: scores, reasons, smart feeds and the digest."""
