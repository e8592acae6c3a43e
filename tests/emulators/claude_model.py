"""What the emulated model answers: labels read from the prompt's data, rules from a sentence.

Deterministic, so tests can assert exact labels: a label is derived from one `<videos>`
JSON line (category, title, tags, length, sponsor line), a rule from the words of the
`<sentence>` block. Tokens are about 4 UTF-8 bytes each.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_CATEGORY_TOPIC = {
    "Music": "music", "Sports": "sports", "Gaming": "gaming", "News & Politics": "news",
    "Comedy": "comedy", "Film & Animation": "film-tv", "Autos & Vehicles": "motors",
    "Pets & Animals": "animals", "Travel & Events": "travel", "Education": "education",
    "Science & Technology": "tech", "Howto & Style": "diy", "People & Blogs": "lifestyle",
    "Entertainment": "pop-culture", "Nonprofits & Activism": "news", "Movies": "film-tv",
    "Shows": "film-tv", "Trailers": "film-tv", "Short Movies": "film-tv",
}  # fmt: skip
_TITLE_TOPIC = (
    ("recipe", "cooking"), ("cooking", "cooking"), ("workout", "fitness"), ("asmr", "asmr"),
    ("python", "programming"), ("bitcoin", "finance"), ("history", "history"),
    ("makeup", "beauty-fashion"), ("minecraft", "gaming"), ("nasa", "science"),
)  # fmt: skip
_TOPIC_MOOD = {
    "comedy": "funny", "news": "serious", "music": "upbeat", "sports": "energetic",
    "gaming": "energetic", "asmr": "calm", "cooking": "cozy", "animals": "cozy",
}  # fmt: skip
_TOPIC_FORMAT = {"music": "music-video", "gaming": "gameplay", "news": "news",
                 "comedy": "comedy-sketch", "lifestyle": "vlog"}  # fmt: skip


def tokens(text: str) -> int:
    """About 4 UTF-8 bytes a token (so Cyrillic and CJK cost more per character)."""
    return math.ceil(len(text.encode("utf-8")) / 4) if text else 0


def videos_in(user_text: str) -> list[dict[str, Any]]:
    """The JSON lines between <videos> and </videos>, as the model would read them."""
    match = re.search(r"^<videos>$(.*?)^</videos>$", user_text, re.MULTILINE | re.DOTALL)
    block = match.group(1) if match else ""
    videos = []
    for line in block.strip().splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict):
            videos.append(item)
    return videos


def label_for(
    video: dict[str, Any], *, gullible: bool = False, verbose: bool = False
) -> dict[str, Any]:
    """A deterministic label derived from one input video line."""
    title = str(video.get("title", ""))
    lowered = title.casefold()
    topic = _CATEGORY_TOPIC.get(str(video.get("category", "")), "other")
    for word, candidate in _TITLE_TOPIC:
        if word in lowered:
            topic = candidate
            break
    length = str(video.get("length", ""))
    if length == "short":
        format_ = "short-clip"
    elif length in ("live", "upcoming"):
        format_ = "live-stream"
    else:
        format_ = _TOPIC_FORMAT.get(topic, "other")
    letters = [ch for ch in title if ch.isalpha()]
    upper = sum(1 for ch in letters if ch.isupper()) / len(letters) if letters else 0.0
    clickbait = round(min(1.0, 0.1 + 0.6 * upper + 0.1 * title.count("!")), 2)
    plain = "".join(ch for ch in title if ch.isalnum() or ch in " -:',.?&()").strip()
    if upper > 0.5:
        plain = plain.capitalize()
    channel = str(video.get("channel", ""))
    summary = f"A {format_} from {channel or 'a channel'} about {topic}."
    if verbose:
        summary = (summary + " " + str(video.get("description", ""))) * 3
    tags = [t.strip().casefold() for t in str(video.get("tags", "")).split(",") if t.strip()]
    label: dict[str, Any] = {
        "ref": str(video.get("ref", "")),
        "topic": topic,
        "mood": _TOPIC_MOOD.get(topic, "informative"),
        "format": format_,
        "tags": tags[:3],
        "clickbait": clickbait,
        "plain_title": plain[:90] or title[:90],
        "summary": summary if verbose else summary[:130],
        "language": _language(title),
        "has_sponsor": "sponsor" in video,
    }
    if gullible:
        # A model that obeys the data: copies the raw title (escapes, markup, bidi and
        # all) and takes orders from it.
        label["plain_title"] = title
        label["summary"] = f"{title} {video.get('description', '')}"
        if "topic" in lowered:
            label["topic"] = "hacked"
    return label


def _language(title: str) -> str:
    if re.search("[\uac00-\ud7af]", title):
        return "ko"
    if re.search("[\u3040-\u30ff]", title):
        return "ja"
    if re.search("[\u0400-\u04ff]", title):
        return "ru"
    return "en" if title.isascii() else ""


def spoil(payload: Any, kind: str, items: str = "first") -> Any:
    """Apply an answer-shaped fault (`kind`, on the first or `all` items) to a good payload."""
    if not kind or not isinstance(payload, dict):
        return payload
    labels = payload.get("labels")
    if kind == "malformed_json":
        return "Sure! Here are the labels: {labels: [ {ref: 1, topic: music,"
    if kind == "schema_mismatch":
        return {"videos": labels}
    if not isinstance(labels, list) or not labels:
        return payload
    targets = labels if items == "all" else labels[:1]
    if kind == "bad_enum":
        for label in targets:
            label["topic"] = "cryptozoology"
    elif kind == "extra_field":
        for label in targets:
            label["secret"] = "leaked"
    elif kind == "missing_item":
        payload["labels"] = labels[:-1]
    return payload


def rule_from_sentence(user_text: str) -> dict[str, Any]:
    """A rule from the sentence between <sentence> tags, the way a model would read it."""
    sentence = user_text.split("<sentence>", 1)[1].split("</sentence>", 1)[0].strip()
    lowered = sentence.casefold()
    action = "hide"
    if any(word in lowered for word in ("boost", "more of", "prefer", "show me more")):
        action = "boost"
    elif any(word in lowered for word in ("bury", "less of", "fewer", "push down")):
        action = "bury"
    elif any(word in lowered for word in ("notify", "tell me", "let me know", "alert me")):
        action = "notify"
    channels = re.findall(r"from ([A-Z][\w&' .-]*?)(?:$|[.,;]| and )", sentence)
    channels += re.findall(r"when ([A-Z][\w&' .-]*?) (?:uploads|posts)", sentence)
    formats = []
    if "clip" in lowered or "trailer" in lowered:
        formats.append("short-clip")
    if "live" in lowered or "stream" in lowered:
        formats.append("live-stream")
    if "podcast" in lowered or "interview" in lowered:
        formats.append("interview-podcast")
    topics = [t for t in ("music", "gaming", "news", "sports", "cooking", "comedy", "science",
                          "programming", "finance", "travel") if t in lowered]  # fmt: skip
    moods = [m for m in ("funny", "calm", "tense", "serious") if m in lowered]
    shorts = True if "shorts" in lowered else None
    minimum = maximum = None
    match = re.search(r"(?:longer|more) than (\d+) ?(?:min|minutes)", lowered)
    if match:
        minimum = int(match.group(1)) * 60
    match = re.search(r"(?:shorter|less) than (\d+) ?(?:min|minutes)", lowered)
    if match:
        maximum = int(match.group(1)) * 60
    words = re.findall(r'"([^"]+)"|about ([\w-]+)', sentence)
    title_words = [a or b for a, b in words if (a or b) and (a or b).casefold() not in topics]
    return {
        "action": action,
        "channels": [c.strip() for c in channels],
        "min_seconds": minimum,
        "max_seconds": maximum,
        "shorts": shorts,
        "title_words": title_words,
        "topics": topics,
        "formats": formats,
        "moods": moods,
        "explanation": f"{action.capitalize()} videos matching: {sentence[:80]}",
    }
