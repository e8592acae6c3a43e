"""The Claude emulator is no laxer than the API it stands for (checked on the wire)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from tests.emulators.claude import API_VERSION, TEST_KEY, ClaudeEmulator

MODEL = "claude-haiku-5-5"
HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture
def claude() -> Iterator[ClaudeEmulator]:
    emulator = ClaudeEmulator().start()
    yield emulator
    emulator.stop()


def post(emulator: ClaudeEmulator, path: str, body: Any) -> tuple[int, dict[str, str], Any]:
    """A raw request (no SDK in the way): status, headers, JSON body."""
    request = urllib.request.Request(
        emulator.base_url + path, data=json.dumps(body).encode(), method="POST",
        headers={"x-api-key": TEST_KEY, "anthropic-version": API_VERSION,
                 "content-type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def refused(emulator: ClaudeEmulator, path: str, body: Any) -> str:
    """Assert a 400 invalid_request_error with a request id; return its message."""
    status, headers, answer = post(emulator, path, body)
    assert (status, answer["type"], answer["error"]["type"]) == (
        400, "error", "invalid_request_error",
    )  # fmt: skip
    assert headers["request-id"] == answer["request_id"]
    return str(answer["error"]["message"])


def sdk(emulator: ClaudeEmulator) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=TEST_KEY, base_url=emulator.base_url, max_retries=0)


def test_a_message_needs_max_tokens(claude: ClaudeEmulator) -> None:
    message = refused(claude, "/v1/messages", {"model": MODEL, "messages": HELLO})
    assert message == "max_tokens: Field required"
    status, _, _ = post(claude, "/v1/messages", {"model": MODEL, "messages": HELLO,
                                                  "max_tokens": 10})  # fmt: skip
    assert status == 200


def test_count_tokens_takes_no_max_tokens(claude: ClaudeEmulator) -> None:
    body = {"model": MODEL, "messages": HELLO, "max_tokens": 10}
    assert "max_tokens" in refused(claude, "/v1/messages/count_tokens", body)
    assert sdk(claude).messages.count_tokens(model=MODEL, messages=HELLO).input_tokens > 0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, "first message must use"),
        ({"messages": [{"role": "user", "content": ""}]}, "non-empty content"),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]},
            "non-empty content",
        ),
        ({"messages": [{"role": "system", "content": "hi"}]}, "'user' or 'assistant'"),
        ({"max_tokens": 0}, "greater than 0"),
        ({"temperature": 0.2}, "temperature"),
    ],
)
def test_malformed_messages_are_refused(
    claude: ClaudeEmulator, change: dict[str, Any], words: str
) -> None:
    body = {"model": MODEL, "messages": HELLO, "max_tokens": 10, **change}
    assert words in refused(claude, "/v1/messages", body)


def test_a_body_over_32_mb_is_too_large(claude: ClaudeEmulator) -> None:
    huge = [{"role": "user", "content": "x" * (32 * 1024 * 1024)}]
    status, headers, answer = post(claude, "/v1/messages", {"model": MODEL, "messages": huge,
                                                             "max_tokens": 1})  # fmt: skip
    assert (status, answer["error"]["type"]) == (413, "request_too_large")
    assert headers["request-id"]


@pytest.mark.parametrize("kind", ["429", "529", "500", "401", "403", "413", "400", "402_billing"])
def test_every_error_carries_a_request_id(claude: ClaudeEmulator, kind: str) -> None:
    claude.fail(kind)
    with pytest.raises(anthropic.APIStatusError) as caught:
        sdk(claude).messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req_")


def test_a_429_says_how_long_to_wait_unless_told_not_to(claude: ClaudeEmulator) -> None:
    claude.fail("429")
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk(claude).messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert caught.value.response.headers["retry-after"] == "1"
    claude.fail("429", no_retry_after=True)
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk(claude).messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert "retry-after" not in caught.value.response.headers


def _request(custom_id: str) -> dict[str, Any]:
    return {"custom_id": custom_id, "params": {"model": MODEL, "max_tokens": 10,
                                               "messages": HELLO}}  # fmt: skip


@pytest.mark.parametrize("custom_id", ["vidéo-1", "a" * 65, "", "has space", "dot.ted"])
def test_custom_ids_are_ascii_letters_digits_dash_and_underscore(
    claude: ClaudeEmulator, custom_id: str
) -> None:
    message = refused(claude, "/v1/messages/batches", {"requests": [_request(custom_id)]})
    assert "custom_id" in message


def test_a_good_custom_id_and_a_duplicate(claude: ClaudeEmulator) -> None:
    assert sdk(claude).messages.batches.create(requests=[_request("A-z_09" * 10 + "abcd")]).id
    message = refused(claude, "/v1/messages/batches", {"requests": [_request("x"), _request("x")]})
    assert "not unique" in message


def test_batch_params_need_max_tokens_too(claude: ClaudeEmulator) -> None:
    request = {"custom_id": "a", "params": {"model": MODEL, "messages": HELLO}}
    assert refused(claude, "/v1/messages/batches", {"requests": [request]}) == (
        "max_tokens: Field required"
    )


def test_a_batch_holds_at_most_its_cap_of_requests_and_bytes() -> None:
    emulator = ClaudeEmulator(max_batch_requests=3, max_batch_bytes=2000).start()
    try:
        many = {"requests": [_request(f"r{n}") for n in range(4)]}
        assert "at most 3" in refused(emulator, "/v1/messages/batches", many)
        big = {"requests": [{"custom_id": "a", "params": {
            "model": MODEL, "max_tokens": 10,
            "messages": [{"role": "user", "content": "x" * 3000}]}}]}  # fmt: skip
        status, _, answer = post(emulator, "/v1/messages/batches", big)
        assert (status, answer["error"]["type"]) == (413, "request_too_large")
    finally:
        emulator.stop()


def test_the_batch_list_pages_like_the_api(claude: ClaudeEmulator) -> None:
    client = sdk(claude)
    made = [client.messages.batches.create(requests=[_request(f"r{n}")]).id for n in range(5)]
    newest_first = made[::-1]
    first = client.messages.batches.list(limit=2)
    assert [b.id for b in first.data] == newest_first[:2]
    assert (first.has_more, first.first_id, first.last_id) == (True, made[4], made[3])
    second = client.messages.batches.list(limit=2, after_id=first.last_id)
    assert [b.id for b in second.data] == newest_first[2:4]
    back = client.messages.batches.list(limit=2, before_id=second.first_id)
    assert [b.id for b in back.data] == newest_first[:2]
    assert [b.id for b in client.messages.batches.list(limit=2, after_id=made[1]).data] == [made[0]]
    assert client.messages.batches.list(after_id=made[1]).has_more is False
    assert len(client.messages.batches.list().data) == 5  # default page: 20
    assert [b.id for b in client.messages.batches.list()] == newest_first  # the SDK pages on
    for bad in (0, 1001):
        with pytest.raises(anthropic.BadRequestError, match="limit"):
            client.messages.batches.list(limit=bad)
