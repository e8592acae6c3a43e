"""Whether a widget's styles depend on its focus, according to the app's stylesheet.

Textual applies the whole stylesheet again to a widget each time it gains or loses the
focus (`Widget.watch_has_focus`), in case a `:focus` rule matches it. For the feed table
that is its own styles and those of its fourteen component classes, each matched against
every rule: ≈ 15 ms of the UI thread, twice per tab switch (one table loses the focus,
the other gains it), to arrive at the styles it already had — no rule of Momentum's or
Textual's tests the focus of a feed table or of its parts. The table draws its cursor's
colour from `has_focus` itself, so only a rule that tests focus needs the restyle.
"""

from __future__ import annotations

from functools import cache

from textual.css.model import RuleSet
from textual.dom import DOMNode
from textual.widget import Widget

FOCUS_PSEUDO_CLASSES = frozenset({"focus", "blur", "focus-within"})
"""Pseudo classes whose truth changes when a widget gains or loses the focus."""


@cache
def _component_names(component: str) -> frozenset[str]:
    """The selector names of the node Textual styles a component class through."""
    return frozenset(DOMNode(classes=component)._selector_names)


def _tests_focus(rule: RuleSet) -> bool:
    return not FOCUS_PSEUDO_CLASSES.isdisjoint(rule.pseudo_classes)


def focus_styled(widget: Widget) -> bool:
    """Whether any rule that may apply to `widget` or its component classes tests focus.

    A rule may apply to a node when its last selector names one of the node's selector
    names (its types, classes, id, `*`): Textual's own pre-selection of rules. A rule such
    as `FeedTable:focus > .feed-table--cursor` or `#feed :focus-within FeedTable` counts.
    """
    rules_map = widget.app.stylesheet.rules_map
    names = set(widget._selector_names)
    for component in widget._get_component_classes():
        names |= _component_names(component)
    return any(_tests_focus(rule) for name in names & rules_map.keys() for rule in rules_map[name])
