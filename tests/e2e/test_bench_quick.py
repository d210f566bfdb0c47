"""The benchmark's quick mode, correctness part: every candidate answers Q1-Q6 as the gateway does.

`python -m bench --quick --check-only` starts the gateway, the gateway with its loaders off, the floor and
(when node and npm are there, as on CI) PostGraphile over the small benchmark dataset, normalises every answer
and compares it with the gateway's. Only equality is asserted, never a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.queries import QUERIES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_every_candidate_answers_every_query_as_the_gateway_does(tmp_path: Path) -> None:
    with_postgraphile = shutil.which("node") is not None and shutil.which("npm") is not None
    command = [sys.executable, "-m", "bench", "--quick", "--check-only", "--out", str(tmp_path)]
    if not with_postgraphile:
        command += ["--candidates", "gateway,no-batching,floor"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    output = result.stdout[-4000:] + result.stderr[-4000:]
    report_file = tmp_path / "results-check-quick.json"
    assert report_file.exists(), output

    comparisons = json.loads(report_file.read_text())["check"]
    expected = {"gateway", "no-batching", "floor"} | ({"postgraphile"} if with_postgraphile else set())
    assert {comparison["candidate"] for comparison in comparisons} == expected
    assert {comparison["query"] for comparison in comparisons} == set(QUERIES)
    mismatches = [comparison for comparison in comparisons if not comparison["equal"]]
    assert not mismatches, "\n\n".join(
        f"{c['query']}, producer {c['producer_id']}, {c['candidate']}:\n{c['diff']}" for c in mismatches
    )
    assert result.returncode == 0, output
