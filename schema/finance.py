"""Money held for the producer: balances, statement, withdrawals, prepayments, receipts."""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway.context import Context
from loaders.balances import BalanceRow
from loaders.finance import (
    PREPAYMENTS_ORDER,
    RECEIPTS_ORDER,
    STATEMENT_ORDER,
    WITHDRAWALS_ORDER,
    PrepaymentRow,
    ReceiptFilterSpec,
    ReceiptRow,
    StatementEntryRow,
    StatementFilterSpec,
    WithdrawalFilterSpec,
    WithdrawalRow,
)
from resolvers import finance as finance_resolvers
from resolvers.pagination import Window
from schema.catalog import Affiliate
from schema.common import CurrencyCode, DateRange, Money, Node
from schema.ids import to_global_id
from schema.pagination import Connection, connection_of
from schema.permissions import require_scope
from schema.sales import Sale

# ---- balances ---------------------------------------------------------------------------------------------


@strawberry.type(description="Money held in one currency: available + pending + blocked = total. Scope: finance:read.")
class Balance:
    currency: CurrencyCode
    available: Money = strawberry.field(description="Can be withdrawn now.")
    pending: Money = strawberry.field(description="Released later, after the guarantee period.")
    blocked: Money = strawberry.field(description="Held for disputes and chargebacks.")
    total: Money

    @classmethod
    def from_row(cls, row: BalanceRow) -> Balance:
        return cls(
            currency=CurrencyCode(row.currency),
            available=Money.of(row.available, row.currency),
            pending=Money.of(row.pending, row.currency),
            blocked=Money.of(row.blocked, row.currency),
            total=Money.of(row.total, row.currency),
        )


# ---- enums ------------------------------------------------------------------------------------------------


@strawberry.enum
class StatementEntryKind(enum.Enum):
    SALE = "SALE"
    FEE = "FEE"
    COMMISSION = "COMMISSION"
    REFUND = "REFUND"
    CHARGEBACK = "CHARGEBACK"
    WITHDRAWAL = "WITHDRAWAL"
    PREPAYMENT = "PREPAYMENT"
    PREPAYMENT_FEE = "PREPAYMENT_FEE"
    BLOCK = "BLOCK"
    UNBLOCK = "UNBLOCK"
    ADJUSTMENT = "ADJUSTMENT"


@strawberry.enum
class WithdrawalStatus(enum.Enum):
    REQUESTED = "REQUESTED"
    PROCESSING = "PROCESSING"
    PAID = "PAID"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class PrepaymentStatus(enum.Enum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@strawberry.enum
class ReceiptDirection(enum.Enum):
    SENT = "SENT"
    RECEIVED = "RECEIVED"


@strawberry.enum
class ReceiptStatus(enum.Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


# ---- filters ----------------------------------------------------------------------------------------------


@strawberry.input(description="Every condition given must hold. Filters never change `balanceAfter`.")
class StatementFilter:
    kinds: list[StatementEntryKind] | None = None
    currency: CurrencyCode | None = None
    occurred_from: datetime.datetime | None = None
    occurred_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_spec(self) -> StatementFilterSpec:
        return StatementFilterSpec(
            kinds=[kind.value for kind in self.kinds] if self.kinds is not None else None,
            currency=self.currency.value if self.currency else None,
            occurred_from=self.occurred_from,
            occurred_to=self.occurred_to,
        )


@strawberry.input(description="Every condition given must hold.")
class WithdrawalFilter:
    status: list[WithdrawalStatus] | None = None
    currency: CurrencyCode | None = None

    def to_spec(self) -> WithdrawalFilterSpec:
        return WithdrawalFilterSpec(
            statuses=[status.value for status in self.status] if self.status is not None else None,
            currency=self.currency.value if self.currency else None,
        )


@strawberry.input(description="Every condition given must hold.")
class ReceiptFilter:
    direction: ReceiptDirection | None = None
    status: list[ReceiptStatus] | None = None

    def to_spec(self) -> ReceiptFilterSpec:
        return ReceiptFilterSpec(
            direction=self.direction.value if self.direction else None,
            statuses=[status.value for status in self.status] if self.status is not None else None,
        )


# ---- types ------------------------------------------------------------------------------------------------


@strawberry.type(description="A payout of available money to the producer's bank account. Scope: finance:read.")
class Withdrawal(Node):
    amount: Money
    status: WithdrawalStatus
    requested_at: datetime.datetime
    paid_at: datetime.datetime | None
    failure_reason: str | None

    @classmethod
    def from_row(cls, row: WithdrawalRow) -> Withdrawal:
        return cls(
            id=strawberry.ID(to_global_id("Withdrawal", row.id)),
            amount=Money.of(row.amount, row.currency),
            status=WithdrawalStatus(row.status),
            requested_at=row.requested_at,
            paid_at=row.paid_at,
            failure_reason=row.failure_reason,
        )


@strawberry.type(description="One line of the ledger the balances are sums of. Scope: finance:read.")
class StatementEntry(Node):
    kind: StatementEntryKind
    amount: Money = strawberry.field(description="Signed effect on the total balance.")
    description: str
    occurred_at: datetime.datetime
    available_at: datetime.datetime = strawberry.field(description="When the amount can be withdrawn.")
    row: strawberry.Private[StatementEntryRow]

    @classmethod
    def from_row(cls, row: StatementEntryRow) -> StatementEntry:
        return cls(
            id=strawberry.ID(to_global_id("StatementEntry", row.id)),
            kind=StatementEntryKind(row.kind),
            amount=Money.of(row.amount, row.currency),
            description=row.description,
            occurred_at=row.occurred_at,
            available_at=row.available_at,
            row=row,
        )

    @strawberry.field(
        description="The total balance of this currency right after this entry, over the whole ledger in "
        "(occurredAt, id) order; statement filters do not change it."
    )
    async def balance_after(self, info: Info[Context, None]) -> Money:
        balance: Decimal = await finance_resolvers.balance_after(info.context, self.row.id)
        return Money.of(balance, self.row.currency)

    @strawberry.field(description="The sale this entry comes from, if any.")
    async def sale(self, info: Info[Context, None]) -> Sale | None:
        row = await finance_resolvers.sale_of_entry(info.context, self.row)
        return Sale.from_row(row) if row else None

    @strawberry.field(description="The withdrawal this entry pays out, if any.")
    async def withdrawal(self, info: Info[Context, None]) -> Withdrawal | None:
        row = await finance_resolvers.withdrawal_of_entry(info.context, self.row)
        return Withdrawal.from_row(row) if row else None


@strawberry.type(description="An advance on pending money, for a fee. Scope: finance:read.")
class Prepayment(Node):
    amount: Money
    fee: Money
    status: PrepaymentStatus
    created_at: datetime.datetime

    @classmethod
    def from_row(cls, row: PrepaymentRow) -> Prepayment:
        return cls(
            id=strawberry.ID(to_global_id("Prepayment", row.id)),
            amount=Money.of(row.amount, row.currency),
            fee=Money.of(row.fee, row.currency),
            status=PrepaymentStatus(row.status),
            created_at=row.created_at,
        )


@strawberry.type(
    description="A commission receipt between the producer and an affiliate, sent or received. Scope: finance:read."
)
class Receipt(Node):
    number: str
    direction: ReceiptDirection
    amount: Money
    status: ReceiptStatus
    period: DateRange
    issued_at: datetime.datetime
    row: strawberry.Private[ReceiptRow]

    @classmethod
    def from_row(cls, row: ReceiptRow) -> Receipt:
        return cls(
            id=strawberry.ID(to_global_id("Receipt", row.id)),
            number=row.number,
            direction=ReceiptDirection(row.direction),
            amount=Money.of(row.amount, row.currency),
            status=ReceiptStatus(row.status),
            period=DateRange(from_=row.period_from, to=row.period_to),
            issued_at=row.issued_at,
            row=row,
        )

    @strawberry.field
    async def affiliate(self, info: Info[Context, None]) -> Affiliate:
        return Affiliate.from_row(await finance_resolvers.receipt_affiliate(info.context, self.row))


# ---- root fields ------------------------------------------------------------------------------------------


@strawberry.type
class FinanceQuery:
    @strawberry.field(description="One balance per currency the producer holds. Scope: finance:read.")
    async def balances(self, info: Info[Context, None]) -> list[Balance] | None:
        require_scope(info.context.principal, "finance:read")
        return [Balance.from_row(row) for row in await finance_resolvers.balances(info.context)]

    @strawberry.field(
        description="The ledger, newest first; each entry with the balance right after it. Scope: finance:read."
    )
    async def statement(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: StatementFilter | None = None,
    ) -> Connection[StatementEntry] | None:
        require_scope(info.context.principal, "finance:read")
        context = info.context
        spec = filter.to_spec() if filter else StatementFilterSpec()
        page = await finance_resolvers.statement(context, spec, Window(first, after, last, before))
        return connection_of(
            page,
            StatementEntry.from_row,
            finance_resolvers.STATEMENT_ORDER_NAME,
            STATEMENT_ORDER,
            lambda: finance_resolvers.statement_count(context, spec),
        )

    @strawberry.field(description="Withdrawals, newest request first. Scope: finance:read.")
    async def withdrawals(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: WithdrawalFilter | None = None,
    ) -> Connection[Withdrawal] | None:
        require_scope(info.context.principal, "finance:read")
        context = info.context
        spec = filter.to_spec() if filter else WithdrawalFilterSpec()
        page = await finance_resolvers.withdrawals(context, spec, Window(first, after, last, before))
        return connection_of(
            page,
            Withdrawal.from_row,
            finance_resolvers.WITHDRAWALS_ORDER_NAME,
            WITHDRAWALS_ORDER,
            lambda: finance_resolvers.withdrawals_count(context, spec),
        )

    @strawberry.field(description="Prepayments (advances on pending money), newest first. Scope: finance:read.")
    async def prepayments(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Prepayment] | None:
        require_scope(info.context.principal, "finance:read")
        context = info.context
        page = await finance_resolvers.prepayments(context, Window(first, after, last, before))
        return connection_of(
            page,
            Prepayment.from_row,
            finance_resolvers.PREPAYMENTS_ORDER_NAME,
            PREPAYMENTS_ORDER,
            lambda: finance_resolvers.prepayments_count(context),
        )

    @strawberry.field(description="Commission receipts sent and received, newest issued first. Scope: finance:read.")
    async def receipts(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ReceiptFilter | None = None,
    ) -> Connection[Receipt] | None:
        require_scope(info.context.principal, "finance:read")
        context = info.context
        spec = filter.to_spec() if filter else ReceiptFilterSpec()
        page = await finance_resolvers.receipts(context, spec, Window(first, after, last, before))
        return connection_of(
            page,
            Receipt.from_row,
            finance_resolvers.RECEIPTS_ORDER_NAME,
            RECEIPTS_ORDER,
            lambda: finance_resolvers.receipts_count(context, spec),
        )
