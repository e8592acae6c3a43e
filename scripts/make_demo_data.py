"""Derive the compact demo corpus shipped in the package from the shared trending dataset.

Usage: python scripts/make_demo_data.py [../shared/data/youtube_trending_sample.csv]

The output keeps every video and the fields Momentum uses; descriptions are capped at
1,500 characters to keep the package small. Values are not edited otherwise.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "youtube_trending_sample.csv"
TARGET = ROOT / "momentum_tui" / "demo" / "trending.jsonl.gz"


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with gzip.GzipFile(TARGET, "wb", mtime=0) as raw:
        for row in rows:
            record = {
                "id": row["video_id"],
                "title": row["title"],
                "published": row["publishedAt"],
                "channel_id": row["channelId"],
                "channel_title": row["channelTitle"],
                "category_id": int(row["categoryId"]),
                "tags": [] if row["tags"] == "[None]" else row["tags"].split("|"),
                "views": int(row["view_count"]),
                "likes": int(row["likes"]),
                "comments": int(row["comment_count"]),
                "trending": row["trending_date"],
                "description": row["description"][:1500],
            }
            raw.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
    print(f"wrote {len(rows)} videos to {TARGET} ({TARGET.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
