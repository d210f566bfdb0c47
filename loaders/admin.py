"""Statements the command line runs as the database owner, outside any tenant."""

from __future__ import annotations

import asyncpg


async def has_any_producer(connection: asyncpg.Connection) -> bool:
    return bool(await connection.fetchval("select exists (select 1 from producers)"))


async def ensure_serving_role(connection: asyncpg.Connection, role: str) -> None:
    """A login role that may only do what `sales_gateway_app` may (for the embedded default and tests).

    The role name comes from our own code, never from a request.
    """
    if not role.replace("_", "").isalnum():
        raise ValueError(f"not a plain role name: {role!r}")
    exists = await connection.fetchval("select exists (select 1 from pg_roles where rolname = $1)", role)
    if not exists:
        await connection.execute(f'create role "{role}" login nosuperuser nobypassrls nocreatedb nocreaterole')
    await connection.execute(f'grant sales_gateway_app to "{role}"')


async def serving_role_problems(connection: asyncpg.Connection | asyncpg.Pool) -> list[str]:
    """Why the connected role must not serve requests: it could read past row-level security."""
    row = await connection.fetchrow(
        """
        select r.rolname, r.rolsuper, r.rolbypassrls,
               exists (select 1 from pg_class c where c.relowner = r.oid and c.relnamespace = 'public'::regnamespace)
                   as owns_tables
        from pg_roles r where r.rolname = current_user
        """
    )
    assert row is not None
    problems = []
    if row["rolsuper"]:
        problems.append(f"role {row['rolname']} is a superuser")
    if row["rolbypassrls"]:
        problems.append(f"role {row['rolname']} has BYPASSRLS")
    if row["owns_tables"]:
        problems.append(f"role {row['rolname']} owns tables")
    return problems
