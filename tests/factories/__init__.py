"""Rows made by hand for tests, through a plain owner connection (it bypasses row-level security).

One module per domain, named as in every layer of the code: `producers` (the seller and its key), `catalog`
(products, buyers, affiliates), `sales`, `lost_sales`, `refunds`, `subscriptions`, `affiliations`, `finance`
(ledger entries, withdrawals, prepayments, receipts).
"""
