"""Correctness before timing: every candidate's answers, normalised, must equal the gateway's.

For each query and a few producers (the first, the second, a middle one and the last; the large producer
only, for queries about it), each candidate answers the same request; its body is mapped to the canonical
form (`bench.queries.normalise`) and compared with the gateway's. A mismatch comes with a unified diff.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.dataset import Dataset
from bench.queries import QUERIES, BenchQuery, normalise
from bench.servers import Server

REFERENCE = "gateway"


@dataclass(slots=True)
class Comparison:
    query: str
    producer_id: int
    candidate: str
    equal: bool
    response_bytes: int
    sql_statements: int | None  # the x-sql-statements header, where the server sends it
    diff: str = ""


@dataclass(slots=True)
class CheckReport:
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Comparison]:
        return [comparison for comparison in self.comparisons if not comparison.equal]

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {
                "query": c.query,
                "producer_id": c.producer_id,
                "candidate": c.candidate,
                "equal": c.equal,
                "response_bytes": c.response_bytes,
                "sql_statements": c.sql_statements,
                "diff": c.diff,
            }
            for c in self.comparisons
        ]


def sample_producers(dataset: Dataset, query: BenchQuery) -> list[int]:
    if query.producers == "large":
        return [dataset.large_producer]
    ids = sorted(dataset.keys)
    return list(dict.fromkeys([ids[0], ids[1 % len(ids)], ids[len(ids) // 2], ids[-1]]))


def _fetch(
    client: httpx.Client, server: Server, query: BenchQuery, dataset: Dataset, producer_id: int
) -> httpx.Response:
    body = query.body(server.candidate.flavour, dataset.anchor)
    headers = {"authorization": f"Bearer {dataset.key(producer_id)}"}
    return client.post(f"{server.url}/graphql", json=body, headers=headers)


def _diff(expected: Any, actual: Any, name: str) -> str:
    left = json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
    right = json.dumps(actual, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
    lines = difflib.unified_diff(left, right, fromfile=REFERENCE, tofile=name, lineterm="", n=3)
    return "\n".join(list(lines)[:200])


def check(servers: list[Server], dataset: Dataset, query_names: list[str]) -> CheckReport:
    """Compare every candidate with the gateway on every query; never raises for a mismatch (see the report)."""
    report = CheckReport()
    by_name = {server.candidate.name: server for server in servers}
    reference = by_name[REFERENCE]
    with httpx.Client(timeout=60) as client:
        for name in query_names:
            query = QUERIES[name]
            for producer_id in sample_producers(dataset, query):
                answer = _fetch(client, reference, query, dataset, producer_id)
                expected = normalise(query, "gateway", answer.json(), dataset.anchor)
                for server in servers:
                    response = answer if server is reference else _fetch(client, server, query, dataset, producer_id)
                    statements = response.headers.get("x-sql-statements")
                    try:
                        actual = normalise(query, server.candidate.flavour, response.json(), dataset.anchor)
                    except ValueError as error:
                        equal, diff = False, f"HTTP {response.status_code}: {error}"
                    else:
                        equal = actual == expected
                        diff = "" if equal else _diff(expected, actual, server.candidate.name)
                    report.comparisons.append(
                        Comparison(
                            query=name,
                            producer_id=producer_id,
                            candidate=server.candidate.name,
                            equal=equal,
                            response_bytes=len(response.content),
                            sql_statements=int(statements) if statements else None,
                            diff=diff,
                        )
                    )
    return report
