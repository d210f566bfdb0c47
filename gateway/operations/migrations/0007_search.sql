-- Searching sales by buyer name or e-mail costs what it finds, not what the seller sold.
--
-- The search finds the seller's buyers whose name or e-mail contains the text through a trigram index (once per
-- query, not once per sale), then their sales through sales_by_buyer, alongside the sale with that transaction
-- code: a search that matches nothing reads nothing, however many sales the seller has. Both extensions are
-- trusted: the database's owner may create them.

create extension if not exists pg_trgm;
create extension if not exists btree_gin;

create index buyers_search on buyers using gin (producer_id, name gin_trgm_ops, email gin_trgm_ops);
