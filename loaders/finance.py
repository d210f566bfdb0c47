"""Money held for the producer: the statement (ledger entries), withdrawals, prepayments and receipts.

Pages, counts and loaders by id. Balances and running balances are in `loaders.balances`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from loaders.base import RowsByIdLoader, TenantDatabase, column_list
from loaders.paging import KeysetOrder, Page, PageRequest, fetch_page
from loaders.where import Where

# ---- statement --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class StatementEntryRow:
    id: int
    kind: str
    currency: str
    amount: Decimal
    blocked_amount: Decimal
    description: str
    sale_id: int | None
    refund_id: int | None
    withdrawal_id: int | None
    prepayment_id: int | None
    occurred_at: datetime
    available_at: datetime


STATEMENT_ENTRY_COLUMNS = column_list(StatementEntryRow)
STATEMENT_ORDER = KeysetOrder("occurred_at", descending=True)


@dataclass(frozen=True, slots=True)
class StatementFilterSpec:
    """What the statement is narrowed to; None means no condition. `occurred_to` is exclusive."""

    kinds: list[str] | None = None
    currency: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


def _statement_where(producer_id: int, spec: StatementFilterSpec) -> Where:
    where = Where()
    where.add("producer_id = {0}", producer_id)
    where.add_if(spec.kinds, "kind = any({0}::text[])")
    where.add_if(spec.currency, "currency = {0}")
    where.add_if(spec.occurred_from, "occurred_at >= {0}")
    where.add_if(spec.occurred_to, "occurred_at < {0}")
    return where


async def statement_page(db: TenantDatabase, spec: StatementFilterSpec, page: PageRequest) -> Page[StatementEntryRow]:
    select = f"select {STATEMENT_ENTRY_COLUMNS} from statement_entries"
    where = _statement_where(db.producer_id, spec)
    return await fetch_page(db, select, where, STATEMENT_ORDER, page, lambda record: StatementEntryRow(*record))


async def count_statement_entries(db: TenantDatabase, spec: StatementFilterSpec) -> int:
    where = _statement_where(db.producer_id, spec)
    return int(await db.fetchval(f"select count(*) from statement_entries where {where.sql}", *where.parameters))


class StatementEntryByIdLoader(RowsByIdLoader[StatementEntryRow]):
    table, columns, row_type = "statement_entries", STATEMENT_ENTRY_COLUMNS, StatementEntryRow


# ---- withdrawals ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class WithdrawalRow:
    id: int
    amount: Decimal
    currency: str
    status: str
    requested_at: datetime
    paid_at: datetime | None
    failure_reason: str | None


WITHDRAWAL_COLUMNS = column_list(WithdrawalRow)
WITHDRAWALS_ORDER = KeysetOrder("requested_at", descending=True)


@dataclass(frozen=True, slots=True)
class WithdrawalFilterSpec:
    statuses: list[str] | None = None
    currency: str | None = None


def _withdrawals_where(producer_id: int, spec: WithdrawalFilterSpec) -> Where:
    where = Where()
    where.add("producer_id = {0}", producer_id)
    where.add_if(spec.statuses, "status = any({0}::text[])")
    where.add_if(spec.currency, "currency = {0}")
    return where


async def withdrawals_page(db: TenantDatabase, spec: WithdrawalFilterSpec, page: PageRequest) -> Page[WithdrawalRow]:
    select = f"select {WITHDRAWAL_COLUMNS} from withdrawals"
    where = _withdrawals_where(db.producer_id, spec)
    return await fetch_page(db, select, where, WITHDRAWALS_ORDER, page, lambda record: WithdrawalRow(*record))


async def count_withdrawals(db: TenantDatabase, spec: WithdrawalFilterSpec) -> int:
    where = _withdrawals_where(db.producer_id, spec)
    return int(await db.fetchval(f"select count(*) from withdrawals where {where.sql}", *where.parameters))


class WithdrawalByIdLoader(RowsByIdLoader[WithdrawalRow]):
    table, columns, row_type = "withdrawals", WITHDRAWAL_COLUMNS, WithdrawalRow


# ---- prepayments ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PrepaymentRow:
    id: int
    amount: Decimal
    fee: Decimal
    currency: str
    status: str
    created_at: datetime


PREPAYMENT_COLUMNS = column_list(PrepaymentRow)
PREPAYMENTS_ORDER = KeysetOrder("created_at", descending=True)


async def prepayments_page(db: TenantDatabase, page: PageRequest) -> Page[PrepaymentRow]:
    where = Where()
    where.add("producer_id = {0}", db.producer_id)
    select = f"select {PREPAYMENT_COLUMNS} from prepayments"
    return await fetch_page(db, select, where, PREPAYMENTS_ORDER, page, lambda record: PrepaymentRow(*record))


async def count_prepayments(db: TenantDatabase) -> int:
    return int(await db.fetchval("select count(*) from prepayments where producer_id = $1", db.producer_id))


class PrepaymentByIdLoader(RowsByIdLoader[PrepaymentRow]):
    table, columns, row_type = "prepayments", PREPAYMENT_COLUMNS, PrepaymentRow


# ---- receipts ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ReceiptRow:
    id: int
    number: str
    direction: str
    affiliate_id: int
    amount: Decimal
    currency: str
    status: str
    period_from: date
    period_to: date
    issued_at: datetime


RECEIPT_COLUMNS = column_list(ReceiptRow)
RECEIPTS_ORDER = KeysetOrder("issued_at", descending=True)


@dataclass(frozen=True, slots=True)
class ReceiptFilterSpec:
    direction: str | None = None
    statuses: list[str] | None = None


def _receipts_where(producer_id: int, spec: ReceiptFilterSpec) -> Where:
    where = Where()
    where.add("producer_id = {0}", producer_id)
    where.add_if(spec.direction, "direction = {0}")
    where.add_if(spec.statuses, "status = any({0}::text[])")
    return where


async def receipts_page(db: TenantDatabase, spec: ReceiptFilterSpec, page: PageRequest) -> Page[ReceiptRow]:
    select = f"select {RECEIPT_COLUMNS} from receipts"
    where = _receipts_where(db.producer_id, spec)
    return await fetch_page(db, select, where, RECEIPTS_ORDER, page, lambda record: ReceiptRow(*record))


async def count_receipts(db: TenantDatabase, spec: ReceiptFilterSpec) -> int:
    where = _receipts_where(db.producer_id, spec)
    return int(await db.fetchval(f"select count(*) from receipts where {where.sql}", *where.parameters))


class ReceiptByIdLoader(RowsByIdLoader[ReceiptRow]):
    table, columns, row_type = "receipts", RECEIPT_COLUMNS, ReceiptRow
