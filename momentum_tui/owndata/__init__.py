"""Owning your data: importing an export, settings in and out, forgetting.

Above `storage/` (which copies, restores and reads the cache out) because merging an
export goes through the writers of several packages — follows, marks, keyword
preferences, rules, labels — so that whatever those writers do alongside a change (the
preference-sync outbox) happens for an import too.
"""
