"""Caches bounded in entries and in bytes, and the schema's document cache (parsing and validation, once each)."""

from __future__ import annotations

import gc
import itertools
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from graphql import DocumentNode, GraphQLError, parse
from strawberry.schema.schema import validate_document

from schema import build_schema
from schema.caching import BoundedCache, document_bytes, errors_bytes, unlink_tokens, without_tracebacks
from schema.limits import MAX_QUERY_CHARACTERS, MAX_TOKENS
from tests.allocations import traced

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "http" / "static" / "graphiql" / "examples.json"

# ---- BoundedCache -------------------------------------------------------------------------------------------


def _filled(cache: BoundedCache[str, int], *entries: tuple[str, int]) -> BoundedCache[str, int]:
    for key, weight in entries:
        cache.add(key, weight, weight)
    return cache


def test_the_least_recently_used_entry_goes_past_the_number_of_entries() -> None:
    cache = _filled(BoundedCache(max_entries=2, max_bytes=1_000), ("a", 1), ("b", 1))
    assert cache.get_or_add("a", lambda: pytest.fail("a is kept")) == 1  # a is now the most recently used
    cache.add("c", 1, 1)
    assert ("a" in cache, "b" in cache, "c" in cache) == (True, False, True)
    assert (len(cache), cache.bytes) == (2, 2)


def test_the_least_recently_used_entries_go_past_the_bytes() -> None:
    cache = _filled(BoundedCache(max_entries=100, max_bytes=100), ("a", 40), ("b", 40), ("c", 10))
    cache.add("d", 60, 60)  # 150: a goes, then 110: b goes
    assert [key for key in "abcd" if key in cache] == ["c", "d"]
    assert cache.bytes == 70


def test_an_entry_heavier_than_the_whole_cache_is_not_kept() -> None:
    cache = _filled(BoundedCache(max_entries=10, max_bytes=100), ("a", 50))
    assert cache.get_or_add("big", lambda: (7, 101)) == 7
    assert ("big" in cache, "a" in cache, cache.bytes) == (False, True, 50)


def test_adding_a_key_again_replaces_its_value_and_weight() -> None:
    cache = _filled(BoundedCache(max_entries=10, max_bytes=100), ("a", 50), ("b", 30))
    cache.add("a", 1, 60)  # 90, and a is the most recently used
    cache.add("c", 1, 20)  # 110: b goes, not a
    assert ([key for key in "abc" if key in cache], cache.bytes) == (["a", "c"], 80)


def test_nothing_is_kept_when_making_the_value_fails() -> None:
    cache: BoundedCache[str, int] = BoundedCache(max_entries=10, max_bytes=100)

    def failing() -> tuple[int, int]:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        cache.get_or_add("a", failing)
    assert (len(cache), cache.bytes) == (0, 0)
    assert cache.get_or_add("a", lambda: (None, 5)) is None  # a value of None is kept like any other
    assert cache.get_or_add("a", lambda: pytest.fail("kept")) is None


# ---- what a parsed and validated document keeps, against its estimate ---------------------------------------

_unique = itertools.count()
SCHEMA = build_schema()


def _checked(text: str) -> tuple[str, DocumentNode, list[GraphQLError], int]:
    """What the document cache keeps of a text, and its estimate (as `DocumentCache` makes them)."""
    document = parse(text, max_tokens=MAX_TOKENS)
    weight = document_bytes(text, unlink_tokens(text, document))
    errors = without_tracebacks(validate_document(SCHEMA.graphql_schema, document, SCHEMA.validation_rules))
    return text, document, errors, weight + errors_bytes(errors)


def _held_and_estimated(make_text: Callable[[int], str], count: int = 10) -> tuple[float, float]:
    """Bytes held per document (tracemalloc, the text included) and the estimate, on average. Held is what
    a second batch adds to a first one: whatever grows only once (tables, free lists) grows with the first."""
    with traced() as held_now:
        first = [_checked(make_text(next(_unique))) for _ in range(count)]
        after_first = held_now()
        second = [_checked(make_text(next(_unique))) for _ in range(count)]
        held = held_now() - after_first
    assert len(first) == len(second)
    return held / count, sum(entry[3] for entry in second) / count


def _unique_copies(query: str) -> Callable[[int], str]:
    return lambda n: f"{query}\n# {n}\n"


DOCUMENTS: dict[str, Callable[[int], str]] = {
    **{
        f"GraphiQL example {index}": _unique_copies(example["query"])
        for index, example in enumerate(json.loads(EXAMPLES.read_text())["examples"])
    },
    "one-word fields": lambda n: f"query Q{n} {{ viewer {{ {'id ' * 300}}} }}",
    "a page with relations": lambda n: (
        f"query Q{n} {{ sales(first: 5) {{ nodes {{ id transactionCode status grossAmount {{ amount currency }}"
        " product { id name kind price { amount currency } } buyer { id name email } affiliate { name } } } }"
    ),
    "long aliases": lambda n: "{ " + " ".join(f"a{n}_{k}{'_' * 1_200}: viewer {{ id }}" for k in range(15)) + " }",
    "the largest comment": lambda n: f"query Q{n} {{ viewer {{ id }} }}\n#{'-' * (MAX_QUERY_CHARACTERS - 40)}\n",
    "many comments": lambda n: f"query Q{n} {{ viewer {{ id }} }}\n" + "#\n" * 500,
    "unknown fields (101 errors)": lambda n: f"query Q{n} {{ {' '.join(f'f{k}' for k in range(150))} }}",
    "unknown long names (101 errors)": lambda n: (
        f"query Q{n} {{ {' '.join(f'f{k}{n}' + 'x' * 150 for k in range(110))} }}"
    ),
    "values that cannot be coerced": lambda n: (
        f"query Q{n} {{ " + " ".join(f'p{k}: sales(first: "{k}", last: "x") {{ totalCount }}' for k in range(15)) + " }"
    ),
}


@pytest.mark.parametrize("make_text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_the_estimate_of_a_document_is_at_least_what_it_keeps(make_text: Callable[[int], str]) -> None:
    held, estimated = _held_and_estimated(make_text)
    assert held <= estimated, f"held {held:.0f} bytes, estimated {estimated:.0f}"


@pytest.mark.parametrize("unlinked", [True, False])
def test_a_document_dropped_from_a_cache_is_freed_at_once(unlinked: bool) -> None:
    """Without the cycle of its tokens' back links, reference counting frees a parsed document as soon as
    it is dropped; with it, it waits for a collection."""
    text = f"query Q{next(_unique)} {{ viewer {{ id name }} }}\n#{'-' * 10_000}\n"
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        document = parse(text)
        if unlinked:
            unlink_tokens(text, document)
        assert tracemalloc.get_traced_memory()[0] > 10_000  # the comment's text is one token's value
        del document
        held = tracemalloc.get_traced_memory()[0]
        assert held < 2_000 if unlinked else held > 10_000
    finally:
        tracemalloc.stop()
        gc.enable()
