"""The rules the money must keep, checked from the raw rows in Python after mutation tests."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import asyncpg


async def check_ledger_invariants(connection: asyncpg.Connection) -> None:
    """For every producer that ran mutations (has audit rows) and each currency: the balance parts add up to
    the ledger's sum, and no withdrawal ever took `available` below zero at the moment it was written.

    (Other tests arrange ledgers by hand, some deliberately odd; the API's writes are what is checked here.)
    """
    entries = await connection.fetch(
        "select id, producer_id, currency, kind, amount, blocked_amount, occurred_at, available_at, withdrawal_id"
        " from statement_entries where producer_id in (select producer_id from audit_log)"
        " order by producer_id, currency, occurred_at, id"
    )
    by_account: dict[tuple[int, str], list[asyncpg.Record]] = defaultdict(list)
    for entry in entries:
        by_account[(entry["producer_id"], entry["currency"])].append(entry)
    now = await connection.fetchval("select now()")
    for account, rows in by_account.items():
        total = sum((row["amount"] for row in rows), Decimal(0))
        blocked = sum((row["blocked_amount"] for row in rows), Decimal(0))
        available = sum(
            (row["amount"] - row["blocked_amount"] for row in rows if row["available_at"] <= now), Decimal(0)
        )
        pending = sum((row["amount"] - row["blocked_amount"] for row in rows if row["available_at"] > now), Decimal(0))
        assert available + pending + blocked == total, account
        for index, row in enumerate(rows):
            if row["kind"] != "WITHDRAWAL" or row["amount"] >= 0:
                continue
            moment = row["occurred_at"]
            written = rows[: index + 1]
            available_then = sum(
                (r["amount"] - r["blocked_amount"] for r in written if r["available_at"] <= moment), Decimal(0)
            )
            assert available_then >= 0, (account, row["withdrawal_id"], available_then)
