"""Caches keyed by what clients send, bounded in bytes as well as in entries; and the schema's document cache.

A document's text comes from the client, so every cache keyed by it grows with unique texts. A count alone
does not bound memory: one parsed document of the largest size allowed keeps a hundred times what a small
one does. `BoundedCache` drops its least recently used entries when either the number of entries or their
total weight (estimated bytes) passes its bound; `document_bytes` is that estimate for a parsed document.

`DocumentCache` is Strawberry's ParserCache and ValidationCache in one, on a `BoundedCache`: each text is
parsed and validated once, and kept with its validation errors.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import DocumentNode, GraphQLError, GraphQLSchema, Token, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

K = TypeVar("K")
V = TypeVar("V")

TOKEN_BYTES = 700
"""Bytes a parsed document keeps per token: the token, and the nodes, names and locations made from it.
Measured with tracemalloc at 330 to 390 for the GraphiQL examples, 580 for a run of one-word fields (the most);
tests/schema/test_caching.py keeps the estimate above what documents of every kind keep."""

ERROR_BYTES = 1_500
"""Bytes one validation error keeps besides its message: its locations, nodes and extensions (measured at
500 to 1,000; the traceback of an error it wraps is dropped). At most 101 per document."""

DOCUMENT_ENTRIES = 512
DOCUMENT_BYTES = 16 * 2**20
"""The schema's document cache: 512 documents, and at most 16 MiB of them as estimated (about 350 documents
like the GraphiQL examples, of 50 to 90 tokens; 11 of 2,000 tokens, the most allowed). With the fast
executor's prepared documents (24 MiB) and builders (8 MiB), the caches keyed by documents stay under 48 MiB
whatever clients send (tests/gateway/test_memory_bounds.py: a serving process stays under 150 MB)."""


class BoundedCache(Generic[K, V]):
    """A least-recently-used cache bounded by its number of entries and by their total weight in bytes.

    Each entry is added with its weight (an estimate of the bytes its value keeps); the least recently used
    entries go while either bound is passed, and an entry heavier than the whole budget is not kept. Used
    from one event loop: it has no lock.
    """

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0  # the weight of the entries kept
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        """The value kept for `key`, now the most recently used; None when nothing is kept for it."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def get_or_add(self, key: K, make: Callable[[], tuple[V, int]]) -> V:
        """The value kept for `key`, now the most recently used; else the value `make` returns with its
        weight, kept. If `make` raises, nothing is kept."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry[0]
        value, weight = make()
        self.add(key, value, weight)
        return value

    def add(self, key: K, value: V, weight: int) -> None:
        """Keep `value` for `key` as the most recently used entry (replacing what was kept for it), then drop
        the least recently used entries until both bounds hold."""
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.bytes -= previous[1]
        if weight > self.max_bytes:
            return
        self._entries[key] = (value, weight)
        self.bytes += weight
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


def unlink_tokens(text: str, document: DocumentNode) -> int:
    """Drop the links of a parsed document's tokens back to the previous token, and count the tokens (comments
    included: what a document keeps grows with them; without locations, as many as the text could hold).

    The lexer links tokens both ways and only reads the back links while parsing. With them every parsed
    document is a cycle, which reference counting cannot free: a document dropped from a cache would wait for
    the garbage collector's oldest generation, and thousands of them pile up in the meantime.
    """
    if document.loc is None:
        return len(text)
    count = 0
    token: Token | None = document.loc.start_token
    while token is not None:
        count += 1
        token.prev = None
        token = token.next
    return count


def document_bytes(text: str, tokens: int, per_token: int = TOKEN_BYTES) -> int:
    """An estimate (from above) of the bytes a parsed document and its text keep: `per_token` per token, and
    the text twice: itself (the cache's key, the document's source) and the values of its tokens, which are
    slices of it (a comment's too)."""
    return per_token * tokens + 2 * sys.getsizeof(text)


DocumentKey = tuple[str, tuple[tuple[str, Any], ...]]  # the text and the options it was parsed with


@dataclass(slots=True)
class CheckedDocument:
    """A parsed document, and its validation errors once validated (with the rules they were found by)."""

    document: DocumentNode
    bytes: int  # the estimate of what the document keeps, without its errors
    rules: tuple[type[ASTValidationRule], ...] | None = None
    errors: list[GraphQLError] | None = None


def new_document_cache() -> BoundedCache[DocumentKey, CheckedDocument]:
    return BoundedCache(max_entries=DOCUMENT_ENTRIES, max_bytes=DOCUMENT_BYTES)


class DocumentCache(SchemaExtension):
    """Parses and validates each document text once (Strawberry's ParserCache and ValidationCache, bounded in
    bytes too). Made per request by a factory; `documents` is shared by the requests of one schema."""

    def __init__(self, documents: BoundedCache[DocumentKey, CheckedDocument]) -> None:
        super().__init__()
        self.documents = documents
        self.key: DocumentKey | None = None
        self.checked: CheckedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None and context.graphql_document is None:
            options = context.parse_options
            self.key = document_key(query, options)
            self.checked = self.documents.get_or_add(self.key, lambda: parsed_document(query, options))
            context.graphql_document = self.checked.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        checked, key = self.checked, self.key
        if checked is not None and key is not None and context.graphql_document is checked.document:
            rules = tuple(context.validation_rules)
            context.pre_execution_errors = validated(self.documents, key, checked, context.schema._schema, rules)
        yield


def document_key(query: str, options: Mapping[str, Any]) -> DocumentKey:
    return (query, tuple(sorted(options.items())))


def validated(
    documents: BoundedCache[DocumentKey, CheckedDocument],
    key: DocumentKey,
    checked: CheckedDocument,
    schema: GraphQLSchema,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """The document's validation errors under `rules`: validated once, and kept with it (its weight with them)."""
    if checked.rules != rules:
        checked.errors = without_tracebacks(validate_document(schema, checked.document, rules))
        checked.rules = rules
        documents.add(key, checked, checked.bytes + errors_bytes(checked.errors))
    return checked.errors or []


def errors_bytes(errors: list[GraphQLError]) -> int:
    """An estimate (from above) of the bytes validation errors keep: their messages (which may quote names of
    any length from the document) and ERROR_BYTES each."""
    return sum(ERROR_BYTES + sys.getsizeof(error.message) for error in errors)


def without_tracebacks(errors: list[GraphQLError]) -> list[GraphQLError]:
    """The errors, without the tracebacks of the exceptions they wrap (a value that could not be coerced):
    each keeps the frames of the validation it was raised in, and a cached error is only ever formatted."""
    for error in errors:
        if error.original_error is not None:
            error.original_error.__traceback__ = None
        error.__traceback__ = None
    return errors


def parsed_document(query: str, options: Mapping[str, Any]) -> tuple[CheckedDocument, int]:
    """The document of `query` parsed with `options`, and its weight; `GraphQLError` when it does not parse."""
    document = parse(query, **options)
    weight = document_bytes(query, unlink_tokens(query, document))
    return CheckedDocument(document, weight), weight
