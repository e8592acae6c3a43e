"""The main screen's feed tabs: each one a widget that owns its table, source, cursor and loading.

`tab.py` is what every tab shares; `for_you.py` and `subscriptions.py` are the two tabs;
`source.py` is the plain data behind a tab's table. docs/architecture.md says how to add one.
"""

FOR_YOU = "for-you"
SUBSCRIPTIONS = "subscriptions"
QUEUE = "queue"
"""The tabs' ids (also the values of the `ui.start_view` setting)."""
