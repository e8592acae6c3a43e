"""Feed rules — hide, boost or bury videos — in one package, one module per job.

* `spec` — what a rule is (`RuleSpec`, `Rule`) and whether it matches one video
  (`matches`, `evaluate`): the meaning the other modules follow;
* `sql` — `hide` rules as one SQL condition, for the feed query in `storage.feed`;
* `masks` — rules as NumPy masks over every loaded video, for `recommend.ranker`;
* `store` — every SQL statement about rules: the `rules` table, and channel names
  resolved to followed channel ids;
* `claude` — one sentence turned into a `RuleSpec` by Claude (the only module here that
  talks to Claude; it loads the anthropic SDK only when it parses).

Import the module you need (`from momentum_tui.rules.spec import RuleSpec`): this file
imports none of them, so reading a rule never loads NumPy or the anthropic SDK.
"""
