-- Balances without scanning the ledger: the ledger's sums per producer, currency and the UTC day on which its
-- entries become available, kept by the statements that write the entries, in their own transaction.
--
-- A balance is then the days before today (available), the days after it (pending), and today's entries read
-- live and split at the moment of the transaction (`now()`), about one day of entries instead of all of them.
-- Every write of the ledger goes through these triggers, whoever writes (mutations, the checkout, the seed): a
-- reader sees the entries and their totals together or neither. Writers of one producer, currency and day wait
-- for each other on that row until they commit (a statement takes its rows in key order).

create table ledger_daily_totals (
    producer_id    bigint  not null references producers (id) on delete cascade,
    currency       char(3) not null,
    available_on   date    not null,  -- (available_at at time zone 'UTC')::date of the entries summed
    amount         numeric not null,
    blocked_amount numeric not null,
    entries        bigint  not null,
    primary key (producer_id, currency, available_on)
);

-- the serving role reads its producer's rows; the triggers write as the owner (this migration's role), whatever
-- the producer of the transaction
alter table ledger_daily_totals enable row level security;
alter table ledger_daily_totals force row level security;
create policy tenant_isolation on ledger_daily_totals for select using (producer_id = current_producer_id());
create policy kept_by_triggers on ledger_daily_totals to current_user using (true) with check (true);
grant select on ledger_daily_totals to sales_gateway_app;

-- today's entries, read live by `balances`
create index statement_by_available on statement_entries (producer_id, available_at)
    include (currency, amount, blocked_amount);

create function keep_ledger_daily_totals() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if tg_op in ('UPDATE', 'DELETE') then
            -- only rows that still exist: when a producer is deleted its totals may already be gone
            update public.ledger_daily_totals t
            set amount = t.amount - d.amount, blocked_amount = t.blocked_amount - d.blocked_amount,
                entries = t.entries - d.entries
            from (
                select producer_id, currency, (available_at at time zone 'UTC')::date as available_on,
                       sum(amount) as amount, sum(blocked_amount) as blocked_amount, count(*) as entries
                from deleted
                group by 1, 2, 3
            ) d
            where t.producer_id = d.producer_id and t.currency = d.currency and t.available_on = d.available_on;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
            insert into public.ledger_daily_totals as t
                (producer_id, currency, available_on, amount, blocked_amount, entries)
            select producer_id, currency, (available_at at time zone 'UTC')::date,
                   sum(amount), sum(blocked_amount), count(*)
            from inserted
            group by 1, 2, 3
            order by 1, 2, 3
            on conflict (producer_id, currency, available_on) do update
            set amount = t.amount + excluded.amount, blocked_amount = t.blocked_amount + excluded.blocked_amount,
                entries = t.entries + excluded.entries;
        end if;
        return null;
    end
    $$;

lock table statement_entries in share row exclusive mode;

insert into ledger_daily_totals (producer_id, currency, available_on, amount, blocked_amount, entries)
select producer_id, currency, (available_at at time zone 'UTC')::date, sum(amount), sum(blocked_amount), count(*)
from statement_entries
group by 1, 2, 3;

create trigger keep_ledger_daily_totals_on_insert after insert on statement_entries
    referencing new table as inserted
    for each statement execute function keep_ledger_daily_totals();
create trigger keep_ledger_daily_totals_on_update after update on statement_entries
    referencing old table as deleted new table as inserted
    for each statement execute function keep_ledger_daily_totals();
create trigger keep_ledger_daily_totals_on_delete after delete on statement_entries
    referencing old table as deleted
    for each statement execute function keep_ledger_daily_totals();
