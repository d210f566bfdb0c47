"""Deterministic demo data at any scale, generated inside PostgreSQL.

`seed` fills an (empty, or at least quiet) database with producers and everything the Sales Management
screen shows. All rows are made server-side by the `INSERT ... SELECT` steps of `gateway/operations/sql/demo_seed.sql`;
every random draw is a hash of a stable key and the seed, and every timestamp is relative to `anchor`, so
the same arguments always give the same rows, ids included. The weighted choices live here, in Python.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Final

import asyncpg

log = logging.getLogger(__name__)

# Every table the seed writes, in the order it writes them.
TABLES: Final = (
    "producers",
    "products",
    "buyers",
    "affiliates",
    "affiliations",
    "subscriptions",
    "sales",
    "lost_sales",
    "refunds",
    "prepayments",
    "withdrawals",
    "statement_entries",
    "receipts",
)

Choice = Sequence[tuple[str, float]]


def _even(*labels: str) -> Choice:
    return [(label, 1.0) for label in labels]


_FIRST_NAMES = _even(
    "Ana", "Bruno", "Camila", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João", "Juliana",
    "Lucas", "Mariana", "Mateus", "Natália", "Otávio", "Paula", "Rafael", "Sofia", "Thiago", "Valentina",
    "Vinícius", "Larissa", "Pedro", "Beatriz", "Gustavo", "Letícia", "Rodrigo", "Fernanda", "Carlos", "María",
    "José", "Sarah", "Michael", "Inês", "Tomás",
)  # fmt: skip
_LAST_NAMES = _even(
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa",
    "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha",
    "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "García",
    "Hernández", "Smith", "Conceição",
)  # fmt: skip
_TOPICS = _even(
    "Marketing Digital", "Excel Avançado", "Inglês Fluente", "Finanças Pessoais", "Fotografia", "Culinária Saudável",
    "Programação Python", "Yoga em Casa", "Violão Popular", "Investimentos", "Confeitaria", "Design Gráfico",
    "Tráfego Pago", "Copywriting", "Maquiagem Profissional", "Concursos Públicos", "Espanhol Prático",
    "Nutrição Esportiva", "Desenho Artístico", "Lettering", "Produtividade", "Oratória", "Vendas no Instagram",
    "Edição de Vídeo", "Marcenaria", "Jardinagem", "Meditação", "Adestramento de Cães", "Inteligência Artificial",
)  # fmt: skip


# name -> weighted labels; each becomes a pg_temp.demo_choice column of demo_params, drawn by the SQL.
# fmt: off
CHOICES: Final[Mapping[str, Choice]] = {
    "time_zone": [
        ("America/Sao_Paulo", 62), ("America/Mexico_City", 7), ("Europe/Lisbon", 7), ("America/New_York", 7),
        ("UTC", 4), ("America/Bogota", 3), ("America/Argentina/Buenos_Aires", 3), ("Europe/Madrid", 3),
        ("America/Los_Angeles", 2), ("Asia/Tokyo", 2),
    ],
    "email_domain": [("example.com", 5), ("example.org", 2), ("example.net", 2), ("mail.example.com", 1)],
    "first_name": _FIRST_NAMES,
    "last_name": _LAST_NAMES,
    "brand_prefix": _even("Academia", "Escola", "Instituto", "Método", "Studio", "Projeto"),
    "topic": _TOPICS,
    "product_kind": [("ONLINE_COURSE", 40), ("EBOOK", 25), ("COMMUNITY", 12), ("EVENT", 10), ("SOFTWARE", 13)],
    "currency": [("BRL", 50), ("USD", 30), ("EUR", 20)],
    "course_suffix": _even("Completo", "Masterclass", "do Zero", "Avançado", "Pro", "Essencial"),
    "ebook_suffix": _even("Guia Prático", "Manual Definitivo", "100 Dicas", "Primeiros Passos"),
    "software_suffix": _even("Toolkit", "Planilhas", "App", "Templates"),
    "country_br": [("BR", 90), ("PT", 3), ("US", 2), ("AR", 1), ("MX", 1), ("CO", 1), ("", 2)],  # "": NULL
    "country_intl": [("US", 35), ("MX", 15), ("PT", 12), ("ES", 10), ("BR", 10), ("CO", 8), ("AR", 5), ("", 5)],
    "affiliation_status": [("ACTIVE", 55), ("PENDING", 18), ("REJECTED", 10), ("BLOCKED", 9), ("CANCELLED", 8)],
    "commission_rate": [
        ("10.00", 8), ("20.00", 14), ("25.00", 8), ("30.00", 20), ("33.33", 4), ("40.00", 18), ("50.00", 20),
        ("60.00", 8),
    ],
    "affiliation_rejected": _even("Profile does not match the product", "Incomplete registration"),
    "affiliation_blocked": _even("Spam in promotion", "Bidding on the brand name"),
    "affiliation_cancelled": _even("Cancelled by the affiliate", "Product closed to new affiliates"),
    "plan": [("Mensal", 70), ("Trimestral", 12), ("Semestral", 8), ("Anual", 10)],
    "subscription_status": [
        ("ACTIVE", 52), ("CANCELLED_BY_CUSTOMER", 16), ("CANCELLED_BY_SELLER", 4), ("CANCELLED_BY_ADMIN", 3),
        ("DELAYED", 6), ("OVERDUE", 6), ("INACTIVE", 6), ("STARTED", 7),
    ],
    "subscription_payment_brl": [("CREDIT_CARD", 78), ("PIX", 10), ("BILLET", 12)],
    "subscription_payment_intl": [("CREDIT_CARD", 85), ("PAYPAL", 15)],
    "payment_brl": [
        ("CREDIT_CARD", 46), ("PIX", 27), ("BILLET", 13), ("DEBIT_CARD", 3), ("PAYPAL", 3), ("GOOGLE_PAY", 2),
        ("APPLE_PAY", 2), ("WALLET", 2), ("BANK_TRANSFER", 2),
    ],
    "payment_intl": [
        ("CREDIT_CARD", 58), ("PAYPAL", 16), ("APPLE_PAY", 8), ("GOOGLE_PAY", 6), ("DEBIT_CARD", 5),
        ("DIRECT_DEBIT", 4), ("BANK_TRANSFER", 3),
    ],
    # one-off sale statuses by kind of payment, settled (older than a week) or recent;
    # MADE becomes COMPLETE once the guarantee period is over (mostly), APPROVED before
    "status_card": [
        ("MADE", 72), ("REFUNDED", 5), ("PARTIALLY_REFUNDED", 1.2), ("CHARGEBACK", 1.2), ("DISPUTE", 0.8),
        ("CANCELLED", 6), ("NO_FUNDS", 4.5), ("BLOCKED", 1.5), ("OVERDUE", 0.8),
    ],
    "status_card_recent": [
        ("MADE", 62), ("UNDER_ANALYSIS", 5), ("PROCESSING_TRANSACTION", 5), ("STARTED", 5), ("WAITING_PAYMENT", 3),
        ("PRE_ORDER", 5), ("CANCELLED", 5), ("NO_FUNDS", 5), ("BLOCKED", 2), ("REFUNDED", 3),
    ],
    "status_billet": [
        ("MADE", 62), ("EXPIRED", 22), ("CANCELLED", 4), ("REFUNDED", 4), ("PARTIALLY_REFUNDED", 1),
        ("PROTESTED", 4), ("OVERDUE", 3),
    ],
    "status_billet_recent": [
        ("MADE", 45), ("PRINTED_BILLET", 30), ("WAITING_PAYMENT", 8), ("STARTED", 4), ("EXPIRED", 10),
        ("CANCELLED", 3),
    ],
    "status_pix": [
        ("MADE", 76), ("EXPIRED", 12), ("CANCELLED", 5), ("REFUNDED", 4), ("PARTIALLY_REFUNDED", 1), ("DISPUTE", 1),
    ],
    "status_pix_recent": [
        ("MADE", 70), ("WAITING_PAYMENT", 12), ("STARTED", 5), ("EXPIRED", 8), ("CANCELLED", 3), ("REFUNDED", 2),
    ],
    "status_transfer": [
        ("MADE", 78), ("CANCELLED", 6), ("REFUNDED", 4), ("NO_FUNDS", 4), ("CHARGEBACK", 1), ("PARTIALLY_REFUNDED", 1),
        ("DISPUTE", 1),
    ],
    "status_transfer_recent": [
        ("MADE", 55), ("PROCESSING_TRANSACTION", 20), ("WAITING_PAYMENT", 15), ("CANCELLED", 5), ("NO_FUNDS", 5),
    ],
    "installments": [
        ("1", 48), ("2", 6), ("3", 8), ("4", 4), ("5", 3), ("6", 7), ("7", 1), ("8", 2), ("9", 1), ("10", 5),
        ("11", 1), ("12", 14),
    ],
    "device": [("MOBILE", 58), ("DESKTOP", 35), ("TABLET", 5), ("UNKNOWN", 2)],
    "source": [
        ("", 22), ("utm_source=instagram&utm_medium=stories", 16), ("utm_source=google&utm_medium=cpc", 14),
        ("utm_source=facebook&utm_medium=paid", 12), ("utm_source=youtube&utm_medium=video", 8),
        ("utm_source=newsletter&utm_medium=email", 8), ("utm_source=whatsapp&utm_medium=social", 6),
        ("utm_source=tiktok&utm_medium=paid", 5), ("utm_source=affiliate&utm_medium=link", 4), ("organic", 3),
        ("direct", 2),
    ],
    "offer": [("", 75), ("LANCAMENTO", 6), ("BLACKFRIDAY", 4), ("DESCONTO10", 7), ("VIP20", 5), ("CUPOM30", 3)],
    "lost_reason_brl": [
        ("ABANDONED_CHECKOUT", 35), ("CARD_DECLINED", 18), ("INSUFFICIENT_FUNDS", 10), ("BILLET_EXPIRED", 14),
        ("PIX_EXPIRED", 14), ("CANCELLED_BY_BUYER", 6), ("FRAUD_SUSPECTED", 3),
    ],
    "lost_reason_intl": [
        ("ABANDONED_CHECKOUT", 50), ("CARD_DECLINED", 25), ("INSUFFICIENT_FUNDS", 15), ("CANCELLED_BY_BUYER", 7),
        ("FRAUD_SUSPECTED", 3),
    ],
    "refund_open": [("REQUESTED", 50), ("DENIED", 30), ("CANCELLED", 20)],
    "refund_closed": [("DENIED", 60), ("CANCELLED", 40)],
    "refund_reason": [
        ("", 15), ("Not what I expected", 30), ("Bought by mistake", 15), ("Duplicate purchase", 10),
        ("Could not access the content", 15), ("Too expensive", 15),
    ],
    "refund_denial": _even(
        "Requested after the guarantee period", "Content already fully consumed", "Duplicate request",
    ),
    "prepayment_status": [("APPROVED", 75), ("REQUESTED", 15), ("REJECTED", 10)],
    "withdrawal_cadence": [("7", 20), ("14", 35), ("30", 45)],  # days
    "withdrawal_open": [("REQUESTED", 50), ("PROCESSING", 50)],
    "withdrawal_closed": [("PAID", 92), ("FAILED", 5), ("CANCELLED", 3)],
    "withdrawal_failure": _even("Invalid bank account", "Bank account closed", "Account holder does not match"),
    "receipt_direction": [("SENT", 55), ("RECEIVED", 45)],
    "receipt_recent": [("PENDING", 70), ("ACCEPTED", 25), ("REJECTED", 5)],
    "receipt_old": [("ACCEPTED", 85), ("REJECTED", 10), ("PENDING", 5)],
    "receipt_rejection": _even("Amount does not match the statement", "Missing tax id", "Wrong period"),
}
# fmt: on

_SQL_FILE = "demo_seed.sql"
_STEP = re.compile(r"^-- step: ([a-z_]+)[ \t]*$", re.MULTILINE)
_INSERTED = re.compile(r"^INSERT 0 (\d+)$")
_MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True, slots=True)
class SeedReport:
    """How many rows `seed` wrote into each table, and how long it took."""

    producers: int
    products: int
    buyers: int
    affiliates: int
    affiliations: int
    subscriptions: int
    sales: int
    lost_sales: int
    refunds: int
    prepayments: int
    withdrawals: int
    statement_entries: int
    receipts: int
    elapsed_seconds: float

    def counts(self) -> dict[str, int]:
        """Rows per table, in the order they were written."""
        values = asdict(self)
        return {table: values[table] for table in TABLES}

    def summary(self) -> str:
        """One line for people: rows per table and the time taken."""
        rows = ", ".join(f"{count:,} {table}" for table, count in self.counts().items())
        return f"seeded {rows} in {self.elapsed_seconds:.1f} s"


async def seed(
    connection: asyncpg.Connection, *, producers: int, sales: int, seed: int, anchor: datetime.datetime
) -> SeedReport:
    """Write the demo data for `producers` producers and (exactly) `sales` sales, in one transaction.

    The same arguments give the same rows on a fresh database. Ids continue after the rows already there,
    and the identity sequences are moved past the new ones. Needs a role that bypasses row-level security
    (the owner, or a superuser) and no other writer at the same time; the tables are locked while it runs.
    """
    if producers < 1:
        raise ValueError(f"producers must be at least 1, got {producers}")
    if sales < 0:
        raise ValueError(f"sales must not be negative, got {sales}")
    if not -_MAX_BIGINT <= seed <= _MAX_BIGINT:
        raise ValueError(f"seed must fit in 64 bits, got {seed}")
    if anchor.tzinfo is None or anchor.utcoffset() is None:
        raise ValueError("anchor must be a timezone-aware datetime")

    if await connection.fetchval(_BLOCKED_BY_ROW_SECURITY, list(TABLES)):
        raise PermissionError(
            "seeding writes every producer's rows: connect as a role that bypasses row-level security"
        )

    started = time.perf_counter()
    counts = dict.fromkeys(TABLES, 0)
    steps = _steps()
    async with connection.transaction():
        await connection.execute(_SESSION)
        await connection.execute(f"lock table {', '.join(TABLES)} in share row exclusive mode")
        await connection.execute(steps["functions"])
        bases = [await connection.fetchval(_next_id_sql(table)) for table in TABLES]
        for statement in _params_sql():
            await connection.execute(statement)
        await connection.execute(_scalars_insert_sql(), producers, sales, seed, anchor, *bases)
        for name, (labels, bounds) in _choice_arguments().items():
            await connection.execute(_CHOICE_INSERT, name, labels, bounds)
        await connection.execute("analyze pg_temp.demo_scalars, pg_temp.demo_choices")
        for name, sql in steps.items():
            if name == "functions":
                continue
            step_started = time.perf_counter()
            status = await connection.execute(sql)
            log.debug("demo step %s: %s in %.2f s", name, status, time.perf_counter() - step_started)
            inserted = _INSERTED.match(status)
            if name in counts and inserted:
                counts[name] = int(inserted.group(1))
        for table in TABLES:
            await connection.execute(_move_sequence_sql(table))
        await connection.execute(_CLEANUP)
        await connection.execute(f"analyze {', '.join(TABLES)}")
    report = SeedReport(**counts, elapsed_seconds=time.perf_counter() - started)
    log.info("%s", report.summary())
    return report


_BLOCKED_BY_ROW_SECURITY = """
select not (r.rolsuper or r.rolbypassrls) and exists (
    select 1 from pg_class c
    where c.oid = any($1::text[]::regclass[]) and c.relrowsecurity and (c.relforcerowsecurity or c.relowner <> r.oid))
from pg_roles r where r.rolname = current_user
"""

# transaction-local: month arithmetic in UTC whatever the server's zone; room for the big sorts
_SESSION = """
set local timezone = 'UTC';
set local statement_timeout = 0;
set local work_mem = '256MB';
set local jit = off
"""

_CLEANUP = """
drop function pg_temp.demo_u, pg_temp.demo_pick, pg_temp.demo_between, pg_temp.demo_u2, pg_temp.demo_age,
    pg_temp.demo_guarantee, pg_temp.demo_slug;
drop view pg_temp.demo_params;
drop table pg_temp.demo_scalars, pg_temp.demo_choices, pg_temp.demo_plan, pg_temp.demo_subs, pg_temp.demo_ledger,
    pg_temp.demo_withdrawal_slots;
drop type pg_temp.demo_choice
"""


@cache
def _steps() -> dict[str, str]:
    """The named steps of the SQL file, in file order."""
    text = (resources.files("gateway.operations") / "sql" / _SQL_FILE).read_text("utf-8")
    parts = _STEP.split(text)
    return {name: sql.strip() for name, sql in zip(parts[1::2], parts[2::2], strict=True)}


def _next_id_sql(table: str) -> str:
    """The last id used in `table`, by a row or by its identity sequence (0 for a fresh table)."""
    return (
        f"select greatest(coalesce(max(id), 0), "
        f"coalesce(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0)) from {table}"
    )


def _move_sequence_sql(table: str) -> str:
    """Move the identity sequence of `table` past its largest id, if the seed went beyond it."""
    return (
        f"select setval(pg_get_serial_sequence('{table}', 'id'), max(id)) from {table} "
        f"having max(id) > coalesce(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0)"
    )


def _params_sql() -> list[str]:
    """Statements making `demo_params`: a view of one row, the scalars and every choice by name.

    Each choice is a row of its own (small, so never TOASTed and detoasted per use), and the view turns
    them into plain columns with one aggregate, so that pg_temp.demo_pick gets a column, not a subplan,
    and is inlined.
    """
    scalars = ", ".join(["producers integer", "sales bigint", "salt bigint", "anchor timestamptz"])
    bases = ", ".join(f"{table}_base bigint" for table in TABLES)
    picks = ", ".join(f"(array_agg(choice) filter (where name = '{name}'))[1] as {name}" for name in CHOICES)
    return [
        f"create temp table demo_scalars ({scalars}, {bases}) on commit drop",
        "create temp table demo_choices (name text primary key, choice pg_temp.demo_choice not null) on commit drop",
        "create temp view demo_params as select s.*, c.* "
        f"from pg_temp.demo_scalars s cross join (select {picks} from pg_temp.demo_choices) c",
    ]


def _scalars_insert_sql() -> str:
    placeholders = ", ".join(f"${n}::bigint" for n in range(5, 5 + len(TABLES)))
    return (
        "insert into demo_scalars values "
        f"($1::integer, $2::bigint, hashint8extended($3::bigint, 7177), $4::timestamptz, {placeholders})"
    )


_CHOICE_INSERT = "insert into demo_choices values ($1, row($2::text[], $3::float8[]))"


def _choice_arguments() -> dict[str, tuple[list[str], list[float]]]:
    """For each choice: its labels, and the lower bound of each label's share of [0, 1)."""
    arguments = {}
    for name, choice in CHOICES.items():
        if not choice or any(weight <= 0 for _, weight in choice):
            raise ValueError(f"choice {name} needs positive weights")
        total = sum(weight for _, weight in choice)
        bounds, running = [], 0.0
        for _, weight in choice:
            bounds.append(running / total)
            running += weight
        arguments[name] = ([label for label, _ in choice], bounds)
    return arguments
