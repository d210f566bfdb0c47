"""Every enum of the API: the names clients send and read (their values are not used, only their names)."""

from __future__ import annotations

import enum

import strawberry

AffiliationStatus = enum.Enum("AffiliationStatus", "PENDING ACTIVE REJECTED BLOCKED CANCELLED")
strawberry.enum(AffiliationStatus)

ProductKind = enum.Enum("ProductKind", "ONLINE_COURSE EBOOK COMMUNITY EVENT SOFTWARE SUBSCRIPTION")
strawberry.enum(ProductKind)

CurrencyCode = enum.Enum("CurrencyCode", "BRL USD EUR GBP MXN COP ARS CLP PEN CAD AUD JPY CHF")
strawberry.enum(CurrencyCode, description="ISO 4217 currency code.")

StatementEntryKind = enum.Enum(
    "StatementEntryKind",
    "SALE FEE COMMISSION REFUND CHARGEBACK WITHDRAWAL PREPAYMENT PREPAYMENT_FEE BLOCK UNBLOCK ADJUSTMENT",
)
strawberry.enum(StatementEntryKind)

WithdrawalStatus = enum.Enum("WithdrawalStatus", "REQUESTED PROCESSING PAID FAILED CANCELLED")
strawberry.enum(WithdrawalStatus)

PrepaymentStatus = enum.Enum("PrepaymentStatus", "REQUESTED APPROVED REJECTED")
strawberry.enum(PrepaymentStatus)

ReceiptDirection = enum.Enum("ReceiptDirection", "SENT RECEIVED")
strawberry.enum(ReceiptDirection)

ReceiptStatus = enum.Enum("ReceiptStatus", "PENDING ACCEPTED REJECTED")
strawberry.enum(ReceiptStatus)

LostSaleReason = enum.Enum(
    "LostSaleReason",
    "ABANDONED_CHECKOUT CARD_DECLINED INSUFFICIENT_FUNDS BILLET_EXPIRED PIX_EXPIRED CANCELLED_BY_BUYER FRAUD_SUSPECTED",
)
strawberry.enum(LostSaleReason)

RefundStatus = enum.Enum("RefundStatus", "REQUESTED APPROVED DENIED COMPLETED CANCELLED")
strawberry.enum(RefundStatus)

RefundAction = enum.Enum("RefundAction", "APPROVE DENY")
strawberry.enum(RefundAction)

TimeBucket = enum.Enum("TimeBucket", "DAY WEEK MONTH")
strawberry.enum(TimeBucket, description="The length of a point of a time series, in the producer's time zone.")

SaleStatus = enum.Enum(
    "SaleStatus",
    "STARTED WAITING_PAYMENT PRINTED_BILLET PROCESSING_TRANSACTION UNDER_ANALYSIS APPROVED COMPLETE "
    "CANCELLED EXPIRED NO_FUNDS BLOCKED OVERDUE PRE_ORDER PROTESTED DISPUTE CHARGEBACK REFUNDED "
    "PARTIALLY_REFUNDED",
)
strawberry.enum(SaleStatus)

PaymentMethod = enum.Enum(
    "PaymentMethod",
    "CREDIT_CARD DEBIT_CARD BILLET PIX PAYPAL GOOGLE_PAY APPLE_PAY WALLET DIRECT_DEBIT BANK_TRANSFER",
)
strawberry.enum(PaymentMethod)

Device = enum.Enum("Device", "DESKTOP MOBILE TABLET UNKNOWN")
strawberry.enum(Device)

WebhookSubscriptionStatus = enum.Enum("WebhookSubscriptionStatus", "ACTIVE DISABLED")
strawberry.enum(WebhookSubscriptionStatus)

WebhookDeliveryStatus = enum.Enum("WebhookDeliveryStatus", "PENDING DELIVERED FAILED")
strawberry.enum(WebhookDeliveryStatus)

SaleOrderField = enum.Enum("SaleOrderField", "CREATED_AT GROSS_AMOUNT UPDATED_AT")
strawberry.enum(SaleOrderField)
# the orders of the other lists: their own moment, and when the row was last written
LostSaleOrderField = enum.Enum("LostSaleOrderField", "CREATED_AT UPDATED_AT")
strawberry.enum(LostSaleOrderField)
RefundOrderField = enum.Enum("RefundOrderField", "REQUESTED_AT UPDATED_AT")
strawberry.enum(RefundOrderField)
SubscriptionOrderField = enum.Enum("SubscriptionOrderField", "STARTED_AT UPDATED_AT")
strawberry.enum(SubscriptionOrderField)
AffiliationOrderField = enum.Enum("AffiliationOrderField", "APPLIED_AT UPDATED_AT")
strawberry.enum(AffiliationOrderField)
ReceiptOrderField = enum.Enum("ReceiptOrderField", "ISSUED_AT UPDATED_AT")
strawberry.enum(ReceiptOrderField)
WithdrawalOrderField = enum.Enum("WithdrawalOrderField", "REQUESTED_AT UPDATED_AT")
strawberry.enum(WithdrawalOrderField)
PrepaymentOrderField = enum.Enum("PrepaymentOrderField", "CREATED_AT UPDATED_AT")
strawberry.enum(PrepaymentOrderField)
StatementOrderField = enum.Enum("StatementOrderField", "OCCURRED_AT UPDATED_AT")
strawberry.enum(StatementOrderField)
ProductOrderField = enum.Enum("ProductOrderField", "CREATED_AT UPDATED_AT")
strawberry.enum(ProductOrderField)

OrderDirection = enum.Enum("OrderDirection", "ASC DESC")
strawberry.enum(OrderDirection)

SubscriptionStatus = enum.Enum(
    "SubscriptionStatus",
    "STARTED ACTIVE DELAYED OVERDUE INACTIVE CANCELLED_BY_CUSTOMER CANCELLED_BY_SELLER CANCELLED_BY_ADMIN",
)
strawberry.enum(SubscriptionStatus)
