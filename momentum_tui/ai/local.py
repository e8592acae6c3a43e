"""The offline classifier: deterministic labels from category, tags and words, no network.

It fills the same `VideoLabels` Claude fills, with `source="local"` and a confidence of
at most 0.65 (Claude's labels say 1.0 unless it says otherwise): good enough to filter a
feed by topic, mood and format, honest about being a guess. It runs when there is no
key, when the budget is spent, and for the demo profile; Claude's labels replace its
labels when they arrive, and it never overwrites a Claude label made from the same text.

Speed matters (a first sync can bring 100,000 videos): everything is dictionary lookups
on a set of words and a few precompiled regular expressions, well over 5,000 videos/s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from momentum_tui.ai import local_words as lw
from momentum_tui.ai.queries import rowids_needing_local, save_labels, texts_by_rowid
from momentum_tui.ai.videos import VideoText
from momentum_tui.models import Format, LiveState, Mood, Topic
from momentum_tui.records import VideoLabels
from momentum_tui.storage import Store

LOCAL_MODEL = "local-1"
"""Recorded as the label's `model`; bump when the rules change enough to relabel."""
MAX_CONFIDENCE = 0.65
"""The most confident a local label ever claims to be."""

_TOPIC, _FORMAT, _MOOD, _BAIT = range(4)
# A word may hold inner apostrophes, dots, slashes and dashes (let's, m/v, k-pop) and end
# in + or # (c++, c#); leading and trailing punctuation is left out.
_WORD = re.compile(r"[\w#][\w'’+#/.-]*[\w+#]|\w")
_DESCRIPTION_CHARS = 400
_TAGS_READ = 12
_SPONSOR_CHARS = 1000
_Entry = tuple[int, object]


_CJK = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class _Index:
    words: dict[str, list[_Entry]]
    word_keys: frozenset[str]
    phrases: dict[str, list[_Entry]]
    phrase_starts: dict[str, tuple[str, ...]]
    substrings: dict[str, list[_Entry]]
    substring_pattern: re.Pattern[str]


_Trie = dict[str, "_Trie"]


def _trie_pattern(entries: list[str]) -> str:
    """A regex alternation shaped as a prefix tree: far faster than a flat `a|b|c…`."""
    trie: _Trie = {}
    for entry in entries:
        node = trie
        for ch in entry:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: _Trie) -> str:
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return render(trie)


def _phrase_starts(phrases: dict[str, list[_Entry]]) -> dict[str, tuple[str, ...]]:
    """First word of each phrase → those phrases, padded with spaces for a whole-word search."""
    starts: dict[str, list[str]] = {}
    for phrase in phrases:
        starts.setdefault(phrase.split()[0], []).append(f" {phrase} ")
    return {word: tuple(padded) for word, padded in starts.items()}


def _build_index() -> _Index:
    words: dict[str, list[_Entry]] = {}
    phrases: dict[str, list[_Entry]] = {}
    substrings: dict[str, list[_Entry]] = {}
    tables: list[tuple[int, Mapping[Any, str]]] = [
        (_TOPIC, lw.TOPIC_WORDS),
        (_FORMAT, lw.FORMAT_WORDS),
        (_MOOD, lw.MOOD_WORDS),
        (_BAIT, {"bait": lw.BAIT_PHRASES}),
    ]
    for kind, table in tables:
        for value, text in table.items():
            for entry in lw.words(text):
                key = entry.casefold()
                # Scripts written without spaces are searched as substrings; phrases of
                # several words as runs of consecutive words; the rest as single words.
                if _CJK.search(key):
                    target = substrings
                elif " " in key:
                    key = " ".join(_tokens(key))
                    target = phrases
                else:
                    target = words
                bucket = target.setdefault(key, [])
                if (kind, value) not in bucket:
                    bucket.append((kind, value))
    return _Index(
        words=words,
        word_keys=frozenset(words),
        phrases=phrases,
        phrase_starts=_phrase_starts(phrases),
        substrings=substrings,
        substring_pattern=re.compile(_trie_pattern(list(substrings))),
    )


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


_INDEX = _build_index()
_SPONSOR_PATTERN = re.compile(_trie_pattern([p.casefold() for p in lw.words(lw.SPONSOR_PHRASES)]))
_PLUG_PATTERN = re.compile(_trie_pattern(lw.words(lw.PLUG_WORDS)))
_LANGUAGE_WORDS = {lang: frozenset(text.split()) for lang, text in lw.LANGUAGE_WORDS.items()}
_SCRIPTS = (
    ("ko", re.compile("[\uac00-\ud7af]")),
    ("ja", re.compile("[\u3040-\u30ff]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
    ("hi", re.compile("[\u0900-\u097f]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("ta", re.compile("[\u0b80-\u0bff]")),
    ("te", re.compile("[\u0c00-\u0c7f]")),
    ("gu", re.compile("[\u0a80-\u0aff]")),
)
_NON_LATIN = re.compile(
    "[\u0400-\u04ff\u0600-\u06ff\u0900-\u0c7f\u0e00-\u0e7f\u3040-\u9fff\uac00-\ud7af]"
)
# Emoji, pictographs, dingbats, arrows, boxes, private-use glyphs: decoration, not words.
_SYMBOLS = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2900-\u297f\u2b00-\u2bff\u3297\u3299"
    "\ue000-\uf8ff\U0001f000-\U0001faff]"
)
_CASED_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_MARKS = frozenset("!?！？*")
_LETTER_WORD = re.compile(r"[^\W\d_]{3,}")
_HASHTAG = re.compile(r"(?:^|\s)[#＃][\w-]+")
_REPEATED_MARKS = re.compile(r"\s*([!?！？]\s*){2,}")
_BANGS = re.compile(r"[!！]+")
_BRACKETED = re.compile(r"[\(\[【「『](.*?)[\)\]】」』]")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s")
_FORMAT_NAMES = {
    Format.TUTORIAL: "Tutorial",
    Format.EXPLAINER: "Explainer",
    Format.NEWS: "News report",
    Format.REVIEW: "Review",
    Format.VLOG: "Vlog",
    Format.INTERVIEW: "Interview or podcast",
    Format.MUSIC_VIDEO: "Music video",
    Format.GAMEPLAY: "Gameplay video",
    Format.COMEDY: "Comedy sketch",
    Format.DOCUMENTARY: "Documentary",
    Format.LIVE_STREAM: "Live stream",
    Format.SHORT_CLIP: "Short clip",
    Format.OTHER: "Video",
}


def _hits(text: str, cjk: bool | None = None) -> list[_Entry]:
    found: list[_Entry] = []
    tokens = _tokens(text)
    present = set(tokens)
    if "#" in text:
        present.update(token[1:] for token in tokens if token.startswith("#"))
    for key in present & _INDEX.word_keys:
        found.extend(_INDEX.words[key])
    starts = present.intersection(_INDEX.phrase_starts)
    if starts:
        joined = f" {' '.join(tokens)} "
        for word in starts:
            for padded in _INDEX.phrase_starts[word]:
                if padded in joined:
                    found.extend(_INDEX.phrases[padded[1:-1]])
    if cjk is None:
        cjk = not text.isascii() and _CJK.search(text) is not None
    if cjk:
        for substring in set(_INDEX.substring_pattern.findall(text)):
            found.extend(_INDEX.substrings[substring])
    return found


def _language(text: str) -> str:
    sample = text[:200]
    if not sample.isascii() and _NON_LATIN.search(sample):
        counts = {lang: len(pattern.findall(sample)) for lang, pattern in _SCRIPTS
                  if pattern.search(sample)}  # fmt: skip
        best = max(counts, key=lambda lang: counts[lang], default="")
        if best == "zh" and "ja" in counts:
            best = "ja"  # Japanese mixes kanji with kana; Chinese has no kana
        if best and counts[best] >= 3:
            return best
    tokens = set(_WORD.findall(sample.casefold()))
    scores = {lang: len(tokens & common) for lang, common in _LANGUAGE_WORDS.items()}
    lang = max(scores, key=lambda key: scores[key])
    return lang if scores[lang] >= 2 else ("en" if sample.isascii() and sample.strip() else "")


def clickbait_score(title: str, bait_hits: int) -> float:
    """0 (plain) to 1 (bait): shouting, piled-up marks, emoji and bait words."""
    words = _LETTER_WORD.findall(title)
    cased = [word for word in words if word.upper() != word.lower()]
    caps = sum(1 for word in cased if word.isupper())
    caps_share = caps / len(cased) if len(cased) >= 2 else 0.0
    marks = _MARKS.intersection(title)
    bangs = len(_BANGS.findall(title)) if marks else 0
    piled = len(_REPEATED_MARKS.findall(title)) if marks else 0
    emoji = 0 if title.isascii() else len(_SYMBOLS.findall(title))
    score = (
        0.05
        + 0.35 * caps_share
        + min(0.15, 0.06 * bangs)
        + min(0.15, 0.08 * piled)
        + min(0.15, 0.05 * emoji)
        + min(0.35, 0.15 * bait_hits)
        + (0.05 if "?" in title or "？" in title else 0.0)
        + (0.05 if "*" in title else 0.0)
    )
    return round(min(1.0, score), 2)


_SHORT_WORDS = frozenset(
    lw.words(
        "a i o y e u à é my me we he it is in on at to of or an as by so up do be no go us the "
        "and you for new how why who all not but are was our out one two can its his her "
        "de la le el un en et du da do na no se si mi tu su al lo os as em um je il ne "
        "der die das und ist ein mit für den dem von zu im ich du es er sie wir "
        "и в на не с по за от из до как что это я он она мы вы они так все мой мне"
    )
)


def _unshout(title: str) -> str:
    """Shouted words get ordinary case; acronyms (BMW, NBA, UFC) are kept."""
    words = _CASED_WORD.findall(title)
    caps = [word for word in words if word.isupper() and len(word) > 1]
    if not caps:
        return title
    if len(caps) < 2 or len(caps) / len(words) < 0.5:
        return title  # one word in capitals is emphasis or an acronym: leave it

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        if word.isupper() and (len(word) >= 4 or word.casefold() in _SHORT_WORDS):
            return word.lower()
        return word

    text = _CASED_WORD.sub(fix, title)
    return text[:1].upper() + text[1:]


def _cap(text: str, limit: int) -> str:
    # Input is cache text, already cleaned by `sanitize` on the way in; only cap its length.
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain_title(title: str) -> str:
    """The title without bait: no emoji, hashtags, piled-up marks, shouting or hype asides."""

    def drop_bait_aside(match: re.Match[str]) -> str:
        inner = match.group(1).casefold()
        return "" if any(kind == _BAIT for kind, _ in _hits(inner)) else match.group(0)

    text = title if title.isascii() else _SYMBOLS.sub("", title)
    if any(mark in text for mark in "([【「『"):
        text = _BRACKETED.sub(drop_bait_aside, text)
    if "#" in text or "＃" in text:
        text = _HASHTAG.sub(" ", text)
    marks = _MARKS.intersection(text)
    if marks:
        text = _REPEATED_MARKS.sub(
            lambda m: "? " if "?" in m.group() or "？" in m.group() else " ", text
        )
        text = text.replace("*", " ").replace("!", " ").replace("！", " ")
    if text.lower() != text:
        text = _unshout(text)
    text = _SPACES.sub(" ", text).replace(" ?", "?").strip(" -|/·•,:;~_")
    return _cap(text or title, 100)


def summary_line(description: str, fallback: str) -> str:
    """The first line of the description that says something (not links, not plugs)."""
    for raw in description[:1500].splitlines()[:20]:
        line = raw.strip(" \t-–—•*►▶➤👉→=_|")
        if len(line) < 12 or line.endswith(":") or (line.isascii() and line.count(" ") < 4):
            continue
        if _PLUG_PATTERN.search(line.casefold()):
            continue
        first = _SENTENCE_END.split(line, maxsplit=1)[0]
        text = first if len(first) >= 30 else line
        return _cap(text, 140)
    return _cap(fallback, 140)


def _tags(video: VideoText) -> list[str]:
    channel = video.channel_title.casefold()
    picked: list[str] = []
    for raw in video.tags:
        # Tags were cleaned on the way into the cache; only their shape is normalised here.
        tag = " ".join(raw.casefold().lstrip("#＃").split())[:40]
        if 2 <= len(tag) <= 30 and tag != channel and tag not in picked:
            picked.append(tag)
        if len(picked) == 5:
            break
    return picked


def _pick(scores: dict[object, float], fallback: object) -> tuple[object, float, float]:
    if not scores:
        return fallback, 0.0, 0.0
    ranked = sorted(scores.items(), key=lambda item: (-item[1], str(item[0])))
    top, top_score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return top, top_score, second


def classify(video: VideoText) -> VideoLabels:
    """Labels for one video, from its category and words alone (deterministic)."""
    title = video.title.casefold()
    tags_text = " | ".join(video.tags[:_TAGS_READ]).casefold()
    description = video.description[:_DESCRIPTION_CHARS].casefold()

    topic_scores: dict[object, float] = {}
    format_scores: dict[object, float] = {}
    mood_scores: dict[object, float] = {}
    bait_hits = 0
    cjk = _CJK.search(title) is not None or (
        not description.isascii() and _CJK.search(description) is not None
    )
    for text, weight in ((title, 3.0), (tags_text, 2.0), (description, 1.0)):
        for kind, value in _hits(text, cjk):
            if kind == _TOPIC:
                topic_scores[value] = topic_scores.get(value, 0.0) + weight
            elif kind == _FORMAT:
                format_scores[value] = format_scores.get(value, 0.0) + weight
            elif kind == _MOOD:
                mood_scores[value] = mood_scores.get(value, 0.0) + weight
            elif kind == _BAIT and weight == 3.0:
                bait_hits += 1

    category = lw.CATEGORY_TOPIC.get(video.category_id or 0)
    if category:
        topic_scores[category[0]] = topic_scores.get(category[0], 0.0) + category[1]
    topic_value, top, second = _pick(topic_scores, Topic.OTHER)
    topic = Topic(str(topic_value)) if top >= 2.0 else Topic.OTHER

    format_ = _format(video, topic, format_scores)
    mood_value, mood_top, _ = _pick(mood_scores, None)
    if mood_value is not None and mood_top >= 2.0:
        mood = Mood(str(mood_value))
    else:
        mood = lw.TOPIC_MOOD.get(topic, Mood.INFORMATIVE)

    if topic == Topic.OTHER:
        confidence = 0.15
    else:
        margin = (top - second) / top if top else 0.0
        agrees = category is not None and category[0] == topic
        confidence = min(MAX_CONFIDENCE, 0.3 + 0.25 * margin + (0.1 if agrees else 0.0))

    has_sponsor = _SPONSOR_PATTERN.search(video.description[:_SPONSOR_CHARS].casefold()) is not None
    channel = video.channel_title or "a channel"
    fallback = f"{_FORMAT_NAMES[format_]} from {channel}."
    # Built without re-validation: every value above is an enum member, cleaned text or a
    # number in range by construction (the tests validate a whole corpus of these labels).
    return VideoLabels.model_construct(
        topic=topic,
        mood=mood,
        format=format_,
        tags=_tags(video),
        clickbait=clickbait_score(video.title, bait_hits),
        plain_title=plain_title(video.title),
        summary=summary_line(video.description, fallback),
        language=_language(f"{video.title}\n{video.description[:150]}"),
        has_sponsor=has_sponsor,
        confidence=round(confidence, 2),
        source="local",
        model=LOCAL_MODEL,
        content_hash=video.content_hash,
    )


def _format(video: VideoText, topic: Topic, scores: dict[object, float]) -> Format:
    if video.live_state in (LiveState.LIVE, LiveState.UPCOMING, LiveState.WAS_LIVE):
        return Format.LIVE_STREAM
    if video.is_short:
        return Format.SHORT_CLIP
    scores.pop(Format.LIVE_STREAM, None)  # the word "live" alone is not a stream
    value, top, _ = _pick(scores, None)
    if value is not None and top >= 2.0:
        return Format(str(value))
    return lw.TOPIC_FORMAT.get(topic, Format.OTHER)


def sponsor_snippet(description: str, limit: int = 100) -> str:
    """The words around the first sponsor mention in a description, or ``""`` if none."""
    head = description[:_SPONSOR_CHARS]
    match = _SPONSOR_PATTERN.search(head.casefold())
    if match is None:
        return ""
    # casefold() keeps offsets for nearly all text; clamp in case it did not.
    start = max(0, min(match.start(), len(head)) - 30)
    space = head.find(" ", start, match.start())
    start = space + 1 if space >= 0 else start
    return " ".join(head[start : start + limit].split())


@dataclass
class LocalResult:
    """What a local labelling pass did."""

    labelled: int = 0
    seconds: float = 0.0


def label_store(
    store: Store,
    *,
    now: int | None = None,
    chunk: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> LocalResult:
    """Label every unlabelled or stale video in `store`; one transaction per `chunk` videos."""
    started = time.perf_counter()
    now = int(time.time()) if now is None else now
    with store.read() as conn:
        rowids = rowids_needing_local(conn)
    done = 0
    for start in range(0, len(rowids), chunk):
        with store.read() as conn:
            texts = texts_by_rowid(conn, rowids[start : start + chunk])
        labelled = [(text.video_id, classify(text)) for text in texts]
        with store.write() as db:
            save_labels(db, labelled, now, local=True)
        done += len(labelled)
        if progress is not None:
            progress(done, len(rowids))
    return LocalResult(labelled=done, seconds=time.perf_counter() - started)
