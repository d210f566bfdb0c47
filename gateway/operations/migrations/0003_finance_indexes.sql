-- The running balance of a statement entry (`StatementEntry.balanceAfter`) is the sum of its currency's
-- entries up to it in (occurred_at, id) order: with this index that sum is an index-only range scan. It also
-- serves the statement filtered by currency, newest first.
create index statement_running_balance on statement_entries (producer_id, currency, occurred_at, id)
    include (amount);
