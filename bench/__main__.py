"""The benchmark: `python -m bench` (full: 1,000 producers, 1M sales) or `python -m bench --quick`.

Every candidate (this gateway; the same with its loaders off; a plain Starlette + asyncpg floor; PostGraphile
4.14, one process and, with --workers N > 1, N cluster workers) runs in its own process over one embedded
PostgreSQL. First every candidate's answers to Q1-Q6 are normalised and compared with the gateway's (a
mismatch stops the run, with a diff); then each (concurrency, query, candidate) point gets a warm-up and
several timed runs, and the medians go to bench/out/ as JSON, a Markdown table and a PNG chart.

    python -m bench --quick                     # small data, seconds of load: a smoke test, never a verdict
    python -m bench --quick --check-only        # the correctness comparison alone (what the test runs)
    python -m bench                             # concurrency 1, 16, 64; 3 runs of 10 s
    python -m bench --workers 2                 # every server with 2 workers, PostGraphile also clustered
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench.check import check
from bench.dataset import SIZES, Dataset, open_dataset
from bench.load import Driver, Loader, default_driver
from bench.queries import QUERIES
from bench.report import chart, machine, machine_markdown, markdown
from bench.servers import candidates, ensure_postgraphile_installed, node_available, running

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "out"


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small dataset, concurrency 1 and 4, 1 s runs")
    parser.add_argument("--size", choices=sorted(SIZES), help="dataset (default: full, or quick with --quick)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the demo data (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per server (default 1)")
    parser.add_argument("--concurrency", type=_csv, help="connections, e.g. 1,16,64 (default; 1,4 with --quick)")
    parser.add_argument("--duration", type=float, help="seconds per timed run (default 10; 1 with --quick)")
    parser.add_argument("--runs", type=int, help="timed runs per point, the median is reported (default 3; 1)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per point (default 3; 1 with --quick)")
    parser.add_argument("--queries", type=_csv, default=list(QUERIES), help="e.g. Q1,Q3 (default: all)")
    parser.add_argument(
        "--candidates",
        type=_csv,
        help="e.g. gateway,floor (default: all; PostGraphile is skipped when node/npm are missing)",
    )
    parser.add_argument("--driver", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--check-only", action="store_true", help="compare the answers, run no load")
    parser.add_argument("--skip-check", action="store_true", help="time without comparing first (not advised)")
    parser.add_argument("--log-level", default="WARNING", help="LOG_LEVEL of our servers (default WARNING)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where results go (default bench/out)")
    return parser


def _settings(arguments: argparse.Namespace) -> dict[str, Any]:
    quick = arguments.quick
    return {
        "size": arguments.size or ("quick" if quick else "full"),
        "concurrency": [int(c) for c in (arguments.concurrency or (["1", "4"] if quick else ["1", "16", "64"]))],
        "duration": arguments.duration if arguments.duration is not None else (1.0 if quick else 10.0),
        "runs": arguments.runs if arguments.runs is not None else (1 if quick else 3),
        "warmup": arguments.warmup if arguments.warmup is not None else (1.0 if quick else 3.0),
        "workers": arguments.workers,
        "queries": [name.upper() for name in arguments.queries],
    }


def _driver(requested: str, quick: bool) -> Driver:
    if requested == "wrk" or requested == "python":
        return requested  # type: ignore[return-value]
    if shutil.which("wrk") is None and not quick and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing wrk (apt-get install -y wrk)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True, check=False)
    return default_driver()


async def _postgres_version(url: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        return str(await connection.fetchval("select version()")).split(" on ")[0]
    finally:
        await connection.close()


def _commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return result.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: the servers and the embedded PostgreSQL are stopped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    arguments = _parser().parse_args(argv)
    settings = _settings(arguments)
    unknown = [name for name in settings["queries"] if name not in QUERIES]
    if unknown:
        print(f"bench: unknown queries {unknown}; known: {', '.join(QUERIES)}", file=sys.stderr)
        return 2

    chosen = candidates(arguments.workers)
    if arguments.candidates:
        names = set(arguments.candidates)
        missing = names - {candidate.name for candidate in chosen}
        if missing:
            print(f"bench: unknown candidates {sorted(missing)}", file=sys.stderr)
            return 2
        chosen = [candidate for candidate in chosen if candidate.name in names | {"gateway"}]
    else:
        chosen = [candidate for candidate in chosen if candidate.default]
    if any(candidate.kind == "node" for candidate in chosen):
        if node_available():
            ensure_postgraphile_installed()
        elif arguments.candidates:
            print("bench: PostGraphile needs node and npm", file=sys.stderr)
            return 2
        else:
            print("bench: node/npm not found: PostGraphile is skipped", flush=True)
            chosen = [candidate for candidate in chosen if candidate.kind != "node"]

    out: Path = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    started = time.monotonic()
    with open_dataset(settings["size"], seed=arguments.seed) as dataset:
        results: dict[str, Any] = {
            "command": command.strip(),
            "commit": _commit(),
            "started": stamp,
            "settings": {**settings, "driver": "none" if arguments.check_only else None},
            "dataset": {
                "size": dataset.size_name,
                "producers": dataset.size.producers,
                "sales": dataset.size.sales,
                "seed": dataset.seed,
                "anchor": dataset.anchor.isoformat(),
                "large_producer": dataset.large_producer,
            },
            "machine": machine(asyncio.run(_postgres_version(dataset.owner_url))),
            "candidates": [candidate.name for candidate in chosen],
            "check": [],
            "points": [],
        }
        with running(chosen, dataset, out / "logs", log_level=arguments.log_level) as servers:
            if not arguments.skip_check:
                report = check(servers, dataset, settings["queries"])
                results["check"] = report.as_json()
                _save(results, out, f"check-{dataset.size_name}")
                equal = len(report.comparisons) - len(report.mismatches)
                print(f"bench: correctness: {equal} of {len(report.comparisons)} answers equal the gateway's")
                if report.mismatches:
                    for mismatch in report.mismatches[:5]:
                        print(
                            f"\n--- {mismatch.query}, producer {mismatch.producer_id}, {mismatch.candidate}:\n"
                            f"{mismatch.diff}"
                        )
                    print("bench: answers differ: not timing anything", file=sys.stderr)
                    return 1
            if arguments.check_only:
                return 0
            driver = _driver(arguments.driver, arguments.quick)
            results["settings"]["driver"] = driver
            _run_load(results, servers, dataset, driver, settings, out)
    name = f"{settings['size']}-w{settings['workers']}-{stamp}"
    _save(results, out, name)
    text = markdown(results)
    report_text = f"{text}\n{machine_markdown(results)}\n"
    (out / f"report-{name}.md").write_text(report_text)
    (out / "report.md").write_text(report_text)
    png = chart(results, out / f"throughput-{name}.png")
    if png is not None:
        shutil.copyfile(png, out / "throughput.png")
    print()
    print(report_text)
    print(f"bench: done in {time.monotonic() - started:.0f} s; results in {out} ({name})")
    return 0


def _run_load(
    results: dict[str, Any], servers: list[Any], dataset: Dataset, driver: Driver, settings: dict[str, Any], out: Path
) -> None:
    loader = Loader(dataset, driver, out / "lua")
    total = len(settings["concurrency"]) * len(settings["queries"])
    done = 0
    for concurrency in settings["concurrency"]:
        for query_name in settings["queries"]:
            points = loader.points(
                servers,
                QUERIES[query_name],
                concurrency,
                warmup=settings["warmup"],
                seconds=settings["duration"],
                runs=settings["runs"],
            )
            done += 1
            for point in points:
                results["points"].append(point.as_json())
                print(
                    f"bench: [{done}/{total}] c={concurrency} {query_name} {point.candidate}: "
                    f"{point.median('requests_per_second'):,.0f} req/s, p50 {point.median('p50_ms'):.1f} ms, "
                    f"p99 {point.median('p99_ms'):.1f} ms, server {point.median('server_cpu_ms'):.2f} ms CPU/req, "
                    f"SQL {point.median('sql_per_request'):.1f}/req, other load {point.median('other_cores'):.2f} "
                    f"cores, errors {point.median('errors'):.0f}",
                    flush=True,
                )
            _save(results, out, "partial")


def _save(results: dict[str, Any], out: Path, name: str) -> None:
    (out / f"results-{name}.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
