"""The label taxonomy in words: one line per topic, mood and format.

Claude reads these lines (in the cached instructions), `docs/ai.md` lists them, and the
app can show them as help. The values themselves are the `Topic`, `Mood` and `Format`
enums in `models.py`, which the feed filters use.
"""

from __future__ import annotations

from momentum_tui.models import Format, Mood, Topic

TOPICS: dict[Topic, str] = {
    Topic.SCIENCE: "science: physics, space, biology, chemistry, experiments, nature science",
    Topic.PROGRAMMING: "programming: code, software development, languages, developer tools",
    Topic.TECH: "tech: phones, computers, gadgets, consumer electronics, tech industry",
    Topic.MUSIC: "music: songs, music videos, performances, covers, artists, music talk",
    Topic.GAMING: "gaming: video games, gameplay, game news, esports, game trailers",
    Topic.NEWS: "news: current events, politics, society, world news, public affairs",
    Topic.COMEDY: "comedy: sketches, stand-up, pranks, parody, humour as the main point",
    Topic.COOKING: "cooking: recipes, food, restaurants, eating, baking, drinks",
    Topic.FITNESS: "fitness: workouts, sport training, yoga, health routines, nutrition",
    Topic.FINANCE: "finance: money, investing, economics, business, personal finance",
    Topic.FILM_TV: "film-tv: films, series, episodes, trailers, animation, anime, film talk",
    Topic.EDUCATION: "education: lessons, study, exams, languages, general knowledge",
    Topic.SPORTS: "sports: matches, highlights, athletes, clubs, sports talk and analysis",
    Topic.TRAVEL: "travel: trips, places, cultures, road trips, travel vlogs",
    Topic.DIY: "diy: making, building, repairing, crafts, home improvement, life hacks",
    Topic.HISTORY: "history: past events, wars, civilisations, historical figures",
    Topic.ART_DESIGN: "art-design: drawing, painting, design, architecture, photography",
    Topic.KIDS: "kids: made for children: nursery rhymes, toys, children's cartoons",
    Topic.ASMR: "asmr: whispering, tapping, tingles, made to relax the listener",
    Topic.MOTORS: "motors: cars, motorbikes, trucks, racing, car culture",
    Topic.BEAUTY_FASHION: "beauty-fashion: make-up, skincare, hair, clothes, style",
    Topic.ANIMALS: "animals: pets, wildlife, rescues, zoos, farm animals",
    Topic.POP_CULTURE: "pop-culture: celebrities, influencers, reactions, trends, TV shows",
    Topic.LIFESTYLE: "lifestyle: everyday life, family, home, relationships, vlogs",
    Topic.OTHER: "other: none of the above fits",
}
"""Every topic with the one line that tells it apart."""

MOODS: dict[Mood, str] = {
    Mood.CALM: "calm: slow, quiet, relaxing",
    Mood.UPBEAT: "upbeat: cheerful, light, positive",
    Mood.FUNNY: "funny: made to make you laugh",
    Mood.SERIOUS: "serious: grave or weighty subject, sober tone",
    Mood.TENSE: "tense: suspense, conflict, fear, drama",
    Mood.INSPIRING: "inspiring: motivating, uplifting, aspirational",
    Mood.COZY: "cozy: warm, comforting, homely",
    Mood.INFORMATIVE: "informative: neutral, factual, here to inform",
    Mood.EMOTIONAL: "emotional: moving, sad or touching",
    Mood.ENERGETIC: "energetic: fast, loud, hype, high intensity",
}
"""Every mood with its line."""

FORMATS: dict[Format, str] = {
    Format.TUTORIAL: "tutorial: teaches how to do something, step by step",
    Format.EXPLAINER: "explainer: explains a subject, an event or an idea",
    Format.NEWS: "news: reports current events",
    Format.REVIEW: "review: judges a product, film, game, place (incl. unboxings)",
    Format.VLOG: "vlog: a creator filming their own life or trip",
    Format.INTERVIEW: "interview-podcast: conversation, interview, podcast, talk show",
    Format.MUSIC_VIDEO: "music-video: a song with its video, lyric video or audio",
    Format.GAMEPLAY: "gameplay: someone playing a game, let's play, walkthrough",
    Format.COMEDY: "comedy-sketch: sketch, prank, parody, stand-up set",
    Format.DOCUMENTARY: "documentary: long-form factual film or investigation",
    Format.LIVE_STREAM: "live-stream: a live broadcast or its recording",
    Format.SHORT_CLIP: "short-clip: a Short, trailer, teaser, highlight or excerpt",
    Format.OTHER: "other: none of the above fits",
}
"""Every format with its line."""
