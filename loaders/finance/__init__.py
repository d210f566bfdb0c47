"""Money held for the producer: the ledger and balances, payouts (withdrawals, prepayments), receipts."""
