"""`sales-gateway serve | migrate | seed | simulate | worker | keys create | keys revoke | keys list`."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import logging
import os
import signal
import sys
from collections.abc import Sequence

import asyncpg
import uvicorn

from gateway.http.app import create_app
from gateway.operations.logs import configure_logging
from gateway.operations.memory import tune_garbage_collection
from gateway.operations.runtime import database_urls, demo_anchor, prepare_embedded_demo, run_migrations
from gateway.operations.settings import Settings, SettingsError
from loaders.admin import has_any_producer
from loaders.api_keys import SCOPES, UnknownScopeError

log = logging.getLogger("gateway.operations.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sales-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("serve", help="migrate, then serve /graphql (embedded PostgreSQL when DATABASE_URL is unset)")
    commands.add_parser("migrate", help="apply the SQL migrations not applied yet")
    commands.add_parser("schema", help="print the GraphQL schema (SDL), as kept in schema.graphql")

    seed = commands.add_parser("seed", help="load deterministic demo data into an empty database")
    seed.add_argument("--producers", type=int, default=20)
    seed.add_argument("--sales", type=int, default=20_000)
    seed.add_argument("--seed", type=int, default=1)
    seed.add_argument(
        "--anchor",
        type=datetime.date.fromisoformat,
        default=None,
        help="the day the data ends (YYYY-MM-DD, default today); same seed and anchor, same data",
    )

    commands.add_parser("worker", help="deliver webhooks (any number of workers may run, anywhere)")
    simulate = commands.add_parser("simulate", help="write checkout activity for a producer, as the checkout would")
    simulate.add_argument("--producer", type=_positive, required=True, metavar="ID")
    simulate.add_argument("--rate", type=float, default=2.0, help="activities a second (0: as fast as possible)")
    simulate.add_argument("--sales", type=_positive, default=None, help="stop after this many new sales")
    simulate.add_argument("--seed", type=int, default=None, help="the same seed, the same activity")

    keys = commands.add_parser("keys", help="API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="make a key; prints only the key, once")
    create.add_argument("--producer-id", type=int, required=True)
    create.add_argument("--name", default="default")
    create.add_argument("--scopes", nargs="+", metavar="SCOPE", help=f"default: all of {' '.join(SCOPES)}")
    create.add_argument(
        "--cost-limit", type=_positive, metavar="POINTS", help="the key's bucket of cost points (default: the setting)"
    )
    create.add_argument(
        "--restore-rate",
        type=_positive,
        metavar="POINTS",
        help="points its bucket gets back a second (default: the setting)",
    )
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id", type=int)
    listing = keys.add_parser("list", help="a producer's keys (never their secrets)")
    listing.add_argument("--producer-id", type=int, required=True)
    return parser


def _positive(text: str) -> int:
    """A whole number of at least 1 (and at most what the database column holds)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= number <= 2**31 - 1:
        raise argparse.ArgumentTypeError(f"must be between 1 and {2**31 - 1}, got {number}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"sales-gateway: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if arguments.command == "schema":
        from schema import schema

        print(schema.as_str())
        return 0
    try:
        if arguments.command == "serve":
            return _serve(settings)
        with database_urls(settings) as urls:
            if arguments.command == "migrate":
                applied = asyncio.run(run_migrations(urls.owner, embedded=settings.embedded))
                print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none'}")
                return 0
            if arguments.command == "seed":
                asyncio.run(run_migrations(urls.owner, embedded=settings.embedded))
                return asyncio.run(_seed(urls.owner, arguments))
            if arguments.command == "simulate":
                return _simulate(urls.owner, arguments)
            if arguments.command == "worker":
                asyncio.run(_deliver_webhooks(urls.serve, settings))
                return 0
            return asyncio.run(_keys(urls.owner, arguments))
    except (SettingsError, UnknownScopeError) as error:
        print(f"sales-gateway: {error}", file=sys.stderr)
        return 2


class _Stopped(Exception):
    """SIGTERM or SIGINT arrived; uvicorn has already finished its graceful shutdown."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signal.Signals(signum).name)


def _serve(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT: uvicorn stops accepting, lets in-flight requests finish (up to the grace
    period) and closes the pool; then the embedded PostgreSQL, if we started it, is stopped.

    uvicorn re-raises the signal it caught once it is done, with the handlers it found restored: ours turns
    it into an exception, so that the blocks below unwind instead of the process dying on the spot.
    """
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        _run_server(settings)
    except _Stopped as stopped:
        log.info("stopped by %s", stopped)
    return 0


def _run_server(settings: Settings) -> None:
    with database_urls(settings) as urls:
        asyncio.run(run_migrations(urls.owner, embedded=settings.embedded))
        if settings.embedded:
            keys = asyncio.run(prepare_embedded_demo(urls.owner, settings))
            _print_demo_keys(keys, settings)
        if settings.workers > 1:
            os.environ["DATABASE_URL"] = urls.serve  # the workers import the app from the environment
            uvicorn.run(
                "gateway.operations.asgi:app_from_env",
                factory=True,
                host=settings.host,
                port=settings.port,
                workers=settings.workers,
                log_config=None,
                access_log=False,
                ws=WEBSOCKETS,
                timeout_graceful_shutdown=int(settings.shutdown_grace_s),
            )
        else:
            app = create_app(settings, urls.serve)
            tune_garbage_collection(settings.gc_threshold)
            uvicorn.run(
                app,
                host=settings.host,
                port=settings.port,
                log_config=None,
                access_log=False,
                ws=WEBSOCKETS,
                timeout_graceful_shutdown=int(settings.shutdown_grace_s),
            )


WEBSOCKETS = "websockets-sansio"  # the live feed (graphql-transport-ws); the `websockets` library's current API


def _print_demo_keys(keys: list[tuple[int, str]], settings: Settings) -> None:
    if not keys:
        return
    lines = [f"  producer {producer_id}: {key}" for producer_id, key in keys]
    url = f"http://{settings.host}:{settings.port}/graphql"
    print("Demo API keys (send as `Authorization: Bearer <key>`):", *lines, f"GraphQL at {url}", sep="\n", flush=True)


async def _seed(owner_url: str, arguments: argparse.Namespace) -> int:
    from gateway.operations.demo import seed

    anchor = demo_anchor()
    if arguments.anchor is not None:
        anchor = datetime.datetime.combine(arguments.anchor, datetime.time.min, tzinfo=datetime.UTC)
    connection = await asyncpg.connect(owner_url)
    try:
        if await has_any_producer(connection):
            print("sales-gateway: the database already has producers; seed an empty one", file=sys.stderr)
            return 1
        report = await seed(
            connection, producers=arguments.producers, sales=arguments.sales, seed=arguments.seed, anchor=anchor
        )
    finally:
        await connection.close()
    print(report.summary())
    return 0


async def _deliver_webhooks(serve_url: str, settings: Settings) -> None:
    """Deliver webhooks until SIGTERM or SIGINT; a delivery in flight then is posted again by another worker."""
    from gateway.operations.database import open_pool
    from gateway.operations.webhooks import run_worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    async with open_pool(serve_url, settings) as pool:
        log.info("webhooks: delivering")
        await run_worker(pool, settings, stop)


def _simulate(owner_url: str, arguments: argparse.Namespace) -> int:
    """Checkout activity until `--sales` new sales, or Ctrl-C; what was written, on stderr."""
    from gateway.operations.simulate import Simulated, simulate
    from loaders.checkout import NothingToSell

    done = Simulated()
    try:
        asyncio.run(
            simulate(owner_url, arguments.producer, arguments.rate, done, sales=arguments.sales, seed=arguments.seed)
        )
    except KeyboardInterrupt:
        pass
    except NothingToSell as error:
        print(f"sales-gateway: {error}", file=sys.stderr)
        return 1
    print(f"simulated for producer {arguments.producer}: {done.summary() or 'nothing'}", file=sys.stderr)
    return 0


async def _keys(owner_url: str, arguments: argparse.Namespace) -> int:
    from loaders.api_keys import create_key, list_keys, revoke_key

    connection = await asyncpg.connect(owner_url)
    try:
        if arguments.keys_command == "create":
            if not await connection.fetchval(
                "select exists (select 1 from producers where id = $1)", arguments.producer_id
            ):
                print(f"sales-gateway: no producer {arguments.producer_id}", file=sys.stderr)
                return 1
            created = await create_key(
                connection,
                arguments.producer_id,
                name=arguments.name,
                scopes=arguments.scopes,
                cost_limit=arguments.cost_limit,
                restore_rate=arguments.restore_rate,
            )
            print(created.secret)
            return 0
        if arguments.keys_command == "revoke":
            if await revoke_key(connection, arguments.key_id):
                print(f"revoked key {arguments.key_id}", file=sys.stderr)
                return 0
            print(f"sales-gateway: no active key {arguments.key_id}", file=sys.stderr)
            return 1
        for key in await list_keys(connection, arguments.producer_id):
            print(key)
        return 0
    finally:
        await connection.close()


if __name__ == "__main__":
    raise SystemExit(main())
