"""The results as Markdown tables (with ratios to PostGraphile and to the floor) and a PNG chart."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench.queries import QUERIES

CANDIDATE_ORDER = ("gateway", "gateway-stock", "no-batching", "floor", "postgraphile", "postgraphile-cluster")
SHORT = {
    "gateway": "gateway",
    "gateway-stock": "gateway, stock executor",
    "no-batching": "no batching",
    "floor": "floor",
    "postgraphile": "PostGraphile ×1",
    "postgraphile-cluster": "PostGraphile cluster",
}


def _command_output(*command: str) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else "unknown"


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine(postgres_version: str) -> dict[str, Any]:
    """What the numbers were measured on."""
    postgraphile_package = Path(__file__).resolve().parent / "postgraphile" / "node_modules" / "postgraphile"
    postgraphile = "not installed"
    if (postgraphile_package / "package.json").exists():
        import json

        postgraphile = json.loads((postgraphile_package / "package.json").read_text())["version"]
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "postgresql": postgres_version,
        "python": platform.python_version(),
        "node": _command_output("node", "--version"),
        "wrk": _command_output("wrk", "--version"),
        "packages": {
            name: _version(name)
            for name in ("strawberry-graphql", "graphql-core", "starlette", "uvicorn", "asyncpg", "orjson")
        },
        "postgraphile": postgraphile,
    }


def _points(results: dict[str, Any]) -> dict[tuple[str, int, str], dict[str, Any]]:
    return {(p["query"], p["concurrency"], p["candidate"]): p["median"] for p in results["points"]}


def _ordered(names: Iterable[str]) -> list[str]:
    present = set(names)
    return [name for name in CANDIDATE_ORDER if name in present] + sorted(present - set(CANDIDATE_ORDER))


def _peer(candidates: list[str]) -> str | None:
    """The PostGraphile the ratios are to: the cluster at our worker count when it ran, else one process."""
    for name in ("postgraphile-cluster", "postgraphile"):
        if name in candidates:
            return name
    return None


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(value: float, reference: dict[str, Any] | None) -> str:
    """`value` over the reference point's requests/s."""
    if not reference or not reference["requests_per_second"]:
        return "–"
    return f"{value / reference['requests_per_second']:.2f}×"


def markdown(results: dict[str, Any]) -> str:
    points = _points(results)
    candidates = _ordered({candidate for _, _, candidate in points})
    queries = [name for name in QUERIES if any(key[0] == name for key in points)]
    levels = sorted({concurrency for _, concurrency, _ in points})
    peer = _peer(candidates)
    settings = results["settings"]
    lines = [
        f"Median of {settings['runs']} runs of {settings['duration']} s after a {settings['warmup']} s warm-up; "
        f"driver {settings['driver']}; {settings['workers']} worker(s) per server; "
        f"dataset `{results['dataset']['size']}` ({results['dataset']['producers']:,} producers, "
        f"{results['dataset']['sales']:,} sales). Ratios are requests/s over "
        f"{SHORT.get(peer or '', 'PostGraphile')} (÷PG) and over the floor (÷floor).",
        "",
    ]
    for level in levels:
        lines += [f"**Requests per second, concurrency {level}**", ""]
        header = ["query", *(SHORT.get(name, name) for name in candidates), "gateway ÷PG", "gateway ÷floor"]
        lines += ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
        for query in queries:
            row = [f"{query} {QUERIES[query].title}"]
            for name in candidates:
                point = points.get((query, level, name))
                row.append(_number(point["requests_per_second"]) if point else "–")
            ours = points.get((query, level, "gateway"))
            reference = points.get((query, level, peer or ""))
            floor = points.get((query, level, "floor"))
            row.append(_ratio(ours["requests_per_second"], reference) if ours else "–")
            row.append(_ratio(ours["requests_per_second"], floor) if ours else "–")
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")

    lines += [
        "**Every point** (server CPU and PostgreSQL CPU per request; cores = CPU seconds per second of the run, "
        "for the load generator / the server / PostgreSQL / everything else on the machine; SQL = statements per "
        "request from pg_stat_statements, without transaction control and asyncpg's connection reset, and in "
        "brackets all of them; RSS = the server's peak, all its processes)",
        "",
        "| query | c | candidate | req/s | ÷PG | ÷floor | p50 ms | p99 ms | server CPU ms | PG CPU ms | SQL | "
        "RSS MiB | bytes | cores load/server/PG/other | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for query in queries:
        for level in levels:
            reference = points.get((query, level, peer or ""))
            floor = points.get((query, level, "floor"))
            for name in candidates:
                point = points.get((query, level, name))
                if point is None:
                    continue
                rps = point["requests_per_second"]
                lines.append(
                    "| "
                    + " | ".join(
                        [
                            query,
                            str(level),
                            SHORT.get(name, name),
                            _number(rps),
                            _ratio(rps, reference),
                            _ratio(rps, floor),
                            f"{point['p50_ms']:.1f}",
                            f"{point['p99_ms']:.1f}",
                            f"{point['server_cpu_ms']:.2f}",
                            f"{point['postgres_cpu_ms']:.2f}",
                            f"{point['sql_per_request']:.1f} ({point['sql_all_per_request']:.0f})",
                            f"{point['peak_rss_mib']:.0f}",
                            f"{point['response_bytes']:,.0f}",
                            f"{point['loadgen_cores']:.2f}/{point['server_cores']:.2f}/{point['postgres_cores']:.2f}/"
                            f"{point.get('other_cores', 0.0):.2f}",
                            f"{point['errors']:.0f}",
                        ]
                    )
                    + " |"
                )
    return "\n".join(lines) + "\n"


def machine_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in m["packages"].items())
    return "\n".join(
        [
            f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}",
            f"- {m['postgresql']}",
            f"- Python {m['python']} ({packages}); Node {m['node']}, PostGraphile {m['postgraphile']}; {m['wrk']}",
            f"- Command: `{results['command']}`",
            f"- Commit: {results.get('commit', 'unknown')}",
        ]
    )


def chart(results: dict[str, Any], path: Path) -> Path | None:
    """Throughput by concurrency, one panel per query; None when matplotlib is not installed (`.[bench]`)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is not installed (pip install -e '.[bench]'): no chart", flush=True)
        return None
    points = _points(results)
    candidates = _ordered({candidate for _, _, candidate in points})
    queries = [name for name in QUERIES if any(key[0] == name for key in points)]
    levels = sorted({concurrency for _, concurrency, _ in points})
    columns = 3
    rows = (len(queries) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.6 * rows), squeeze=False)
    for index, query in enumerate(queries):
        axis = axes[index // columns][index % columns]
        for name in candidates:
            values = [points.get((query, level, name), {}).get("requests_per_second") for level in levels]
            shown = [(level, value) for level, value in zip(levels, values, strict=True) if value is not None]
            if shown:
                axis.plot([x for x, _ in shown], [y for _, y in shown], marker="o", label=SHORT.get(name, name))
        axis.set_title(f"{query}: {QUERIES[query].title}", fontsize=9)
        axis.set_xscale("log", base=2)
        axis.set_xticks(levels, [str(level) for level in levels])
        axis.set_yscale("log")
        axis.set_xlabel("concurrency")
        axis.set_ylabel("requests/s")
        axis.grid(True, which="both", alpha=0.3)
    for index in range(len(queries), rows * columns):
        axes[index // columns][index % columns].axis("off")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9)
    settings = results["settings"]
    figure.suptitle(
        f"Throughput by concurrency ({results['machine']['cores']} cores shared by load, server and PostgreSQL; "
        f"{settings['workers']} worker(s); dataset {results['dataset']['size']})",
        fontsize=10,
    )
    figure.tight_layout(rect=(0, 0.05, 1, 0.96))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def merge(files: list[Path]) -> dict[str, Any]:
    """Several result files as one: the first gives the settings, later files replace the points they also have
    (a rerun of some concurrency levels, say) and add the others."""
    import json

    merged: dict[str, Any] | None = None
    points: dict[tuple[str, int, str], dict[str, Any]] = {}
    commands: list[str] = []
    durations: list[str] = []
    warmups: list[str] = []
    for file in files:
        results = json.loads(file.read_text())
        merged = merged or results
        commands.append(results["command"])
        durations.append(f"{results['settings']['duration']:g}")
        warmups.append(f"{results['settings']['warmup']:g}")
        for point in results["points"]:
            points[(point["query"], point["concurrency"], point["candidate"])] = point
    assert merged is not None
    merged["points"] = list(points.values())
    merged["command"] = " && ".join(dict.fromkeys(commands))
    runs = sorted({len(point["runs"]) for point in merged["points"]})
    merged["settings"]["runs"] = "/".join(str(r) for r in runs)
    merged["settings"]["duration"] = "/".join(dict.fromkeys(durations))
    merged["settings"]["warmup"] = "/".join(dict.fromkeys(warmups))
    return merged


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.report RESULTS.json [MORE.json ...] [--out DIR]`: the tables and chart again."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.report", description=main.__doc__)
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--name", default="merged")
    arguments = parser.parse_args(argv)
    results = merge(arguments.files)
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / f"results-{arguments.name}.json").write_text(json.dumps(results, indent=1) + "\n")
    text = f"{markdown(results)}\n{machine_markdown(results)}\n"
    (arguments.out / f"report-{arguments.name}.md").write_text(text)
    chart(results, arguments.out / f"throughput-{arguments.name}.png")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
