"""The sync key and what the server is given: keyed-hash names and sealed values."""

from __future__ import annotations

import pytest

from momentum_tui.prefsync.crypto import (
    KEY_CHECK_HASH,
    Cipher,
    SyncKey,
    SyncKeyError,
    UnreadableRecordError,
)
from momentum_tui.prefsync.records import Record, Stamp

RECORD = Record("kw:rust", {"weight": 1.5}, Stamp(123, "d" * 32))


def test_words_round_trip_and_tolerate_case_and_abbreviations() -> None:
    key = SyncKey.generate()
    words = key.words().split()
    assert len(words) == 24
    assert SyncKey.from_words(" ".join(words).upper()) == key
    assert SyncKey.from_words("  ".join(w[:4] for w in words)) == key
    assert SyncKey.from_secret(key.to_secret()) == key
    assert key.to_secret() not in repr(key)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda w: w[:-1], "24 words; 23"),
        (lambda w: [*w[:3], "zzzz", *w[4:]], "Word 4"),
        (lambda w: [w[1], w[0], *w[2:]], "mistyped or out of order"),
    ],
)
def test_bad_words_get_one_sentence(mangle, message: str) -> None:  # type: ignore[no-untyped-def]
    words = SyncKey.generate().words().split()
    if words[0] == words[1]:
        words[1] = "zoo" if words[0] != "zoo" else "abandon"
    with pytest.raises(SyncKeyError, match=message):
        SyncKey.from_words(" ".join(mangle(words)))


def test_sealed_records_open_only_with_their_key_and_name() -> None:
    cipher = Cipher(SyncKey.generate())
    hashed, blob = cipher.seal(RECORD)
    assert len(hashed) == 43 and "rust" not in blob and "rust" not in hashed
    assert cipher.open(hashed, blob) == RECORD
    other_name = cipher.hashed_name("kw:go")
    with pytest.raises(UnreadableRecordError):
        cipher.open(other_name, blob)  # a blob moved to another row fails
    with pytest.raises(UnreadableRecordError):
        Cipher(SyncKey.generate()).open(hashed, blob)
    with pytest.raises(UnreadableRecordError):
        cipher.open(hashed, blob[:-4] + "AAAA")


def test_names_are_stable_per_key_and_differ_between_keys() -> None:
    key = SyncKey.generate()
    assert Cipher(key).hashed_name("kw:rust") == Cipher(key).hashed_name("kw:rust")
    assert Cipher(key).hashed_name("kw:rust") != Cipher(SyncKey.generate()).hashed_name("kw:rust")


def test_sizes_are_padded() -> None:
    cipher = Cipher(SyncKey.generate())
    short = cipher.seal(Record("kw:a", {"weight": 1}, Stamp(1, "d")))[1]
    longer = cipher.seal(Record("kw:abcdefghij", {"weight": 1}, Stamp(1, "d")))[1]
    assert len(short) == len(longer)


def test_the_key_check_tells_keys_apart() -> None:
    key = SyncKey.generate()
    name, blob = Cipher(key).key_check()
    assert name == KEY_CHECK_HASH
    assert Cipher(key).opens_key_check(blob)
    assert not Cipher(SyncKey.generate()).opens_key_check(blob)
