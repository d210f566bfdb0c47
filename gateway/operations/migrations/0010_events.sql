-- Change data: an outbox of events, and `updated_at` on every table a list reads.
--
-- Every insert and every change of state of sales, lost sales, refunds, subscriptions, affiliations, receipts,
-- withdrawals, prepayments and statement entries writes an event in the same transaction, by triggers, whoever
-- writes (the gateway's mutations, the checkout, the seed).
--
-- Readers must never pass over a change that commits later: a reader who has read the events up to some point
-- must not later find an earlier one it did not see, and the same for a sync reading rows by when they were
-- written. Wall-clock times cannot promise that (a transaction stamps a row, then commits after another that
-- stamped later). Transaction ids can: each event and each written row carries the id of the transaction
-- that wrote it (`xid`, `updated_xid`), and a reader orders by it and reads only what was written by
-- transactions older than the oldest one still running when its snapshot was taken
-- (`pg_snapshot_xmin(pg_current_snapshot())`): all of those have ended, so whatever the reader has not seen
-- yet will come after what it has. What a slow transaction holds back appears once it ends.

create table events (
    id          bigint      generated always as identity primary key,
    xid         bigint      not null default pg_current_xact_id()::text::bigint,  -- the writing transaction
    producer_id bigint      not null references producers (id) on delete cascade,
    type        text        not null,  -- `sale.created`, `refund.approved`, ...
    object_type text        not null,  -- the GraphQL type of the object (its global id: base64 of `type:pk`)
    object_pk   bigint      not null,
    occurred_at timestamptz not null default clock_timestamp(),
    payload     jsonb       not null   -- a few of the object's fields; amounts as decimal strings
);
create index events_by_producer on events (producer_id, xid, id) include (type);
create index events_by_time on events (occurred_at);  -- pruning

alter table events enable row level security;
alter table events force row level security;
create policy tenant_isolation on events for select using (producer_id = current_producer_id());
-- the triggers write for any producer, and pruning deletes for all; the serving role may do neither
create policy written_by_triggers on events for insert with check (true);
create policy pruned_after_retention on events for delete using (true);
grant select on events to sales_gateway_app;

create type event_draft as (producer_id bigint, type text, object_type text, object_pk bigint, payload jsonb);

-- store the drafts in their order and wake the listeners (one notification per producer and transaction:
-- PostgreSQL folds identical ones)
create function append_events(drafts event_draft[]) returns void
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if cardinality(drafts) = 0 then
            return;
        end if;
        insert into public.events (producer_id, type, object_type, object_pk, payload)
        select d.producer_id, d.type, d.object_type, d.object_pk, d.payload
        from unnest(drafts) with ordinality as d(producer_id, type, object_type, object_pk, payload, position)
        order by d.position;
        perform pg_notify('sales_gateway_events', p.producer_id::text)
        from (select distinct d.producer_id from unnest(drafts) d) p;
    end
    $$;

-- before each written row: when, and by which transaction
create function stamp_updated_at() returns trigger
    language plpgsql
    set search_path = pg_catalog, public
    as $$
    begin
        new.updated_at := clock_timestamp();
        new.updated_xid := pg_current_xact_id()::text::bigint;
        return new;
    end
    $$;

-- `updated_at`: for the rows written before now, the last moment they are known to have changed; `updated_xid`:
-- 0, older than any transaction to come
alter table sales add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update sales set updated_at = greatest(created_at, approved_at);
alter table lost_sales add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update lost_sales set updated_at = created_at;
alter table refunds add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update refunds set updated_at = greatest(requested_at, resolved_at);
alter table subscriptions add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update subscriptions s set updated_at = greatest(s.started_at, s.cancelled_at,
    (select max(c.changed_at) from subscription_status_changes c
     where c.producer_id = s.producer_id and c.subscription_id = s.id));
alter table affiliations add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update affiliations set updated_at = greatest(applied_at, decided_at);
alter table receipts add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update receipts set updated_at = greatest(issued_at, decided_at);
alter table withdrawals add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update withdrawals set updated_at = greatest(requested_at, paid_at);
alter table prepayments add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update prepayments set updated_at = created_at;
alter table statement_entries add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update statement_entries set updated_at = least(occurred_at, now());
alter table products add column updated_at timestamptz, add column updated_xid bigint not null default 0;
update products set updated_at = now();

do $$
declare
    listed text;
begin
    foreach listed in array array['sales', 'lost_sales', 'refunds', 'subscriptions', 'affiliations', 'receipts',
                                  'withdrawals', 'prepayments', 'statement_entries', 'products'] loop
        execute format('alter table %I alter column updated_at set not null, alter column updated_xid drop default',
                       listed);
        execute format('create index %I on %I (producer_id, updated_xid, id)', listed || '_by_updated', listed);
        execute format('create trigger stamp_updated_at before insert or update on %I '
                       'for each row execute function stamp_updated_at()', listed);
    end loop;
end
$$;

-- the events of each kind of object: what was inserted, and what changed state
create function sale_events() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if tg_op = 'INSERT' then
            perform public.append_events(array(
                select row(n.producer_id, 'sale.created', 'Sale', n.id, jsonb_build_object(
                    'transactionCode', n.transaction_code, 'status', n.status, 'currency', n.currency,
                    'grossAmount', n.gross_amount::text, 'netAmount', n.net_amount::text,
                    'paymentMethod', n.payment_method))::public.event_draft
                from inserted n order by n.id));
        else
            perform public.append_events(array(
                select row(n.producer_id, 'sale.status_changed', 'Sale', n.id, jsonb_build_object(
                    'transactionCode', n.transaction_code, 'status', n.status,
                    'previousStatus', o.status))::public.event_draft
                from inserted n join deleted o on o.id = n.id where n.status <> o.status order by n.id));
        end if;
        return null;
    end
    $$;

create function lost_sale_events() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if tg_op = 'INSERT' then
            perform public.append_events(array(
                select row(n.producer_id, 'lost_sale.created', 'LostSale', n.id, jsonb_build_object(
                    'reason', n.reason, 'currency', n.currency, 'amount', n.amount::text))::public.event_draft
                from inserted n order by n.id));
        else
            perform public.append_events(array(
                select row(n.producer_id, 'lost_sale.recovered', 'LostSale', n.id, jsonb_build_object(
                    'reason', n.reason, 'currency', n.currency, 'amount', n.amount::text))::public.event_draft
                from inserted n join deleted o on o.id = n.id
                where n.recovered_sale_id is not null and o.recovered_sale_id is null order by n.id));
        end if;
        return null;
    end
    $$;

-- a kind whose every state is an event of its own (`refund.approved`, `withdrawal.paid`, ...): TG_ARGV holds
-- the event prefix, the GraphQL type and the name of the first state's event
create function stateful_events() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    declare
        prefix text := tg_argv[0];
        object_type text := tg_argv[1];
        first_event text := tg_argv[2];
    begin
        if tg_op = 'INSERT' then
            perform public.append_events(array(
                select row(n.producer_id, prefix || '.' || first_event, object_type, n.id,
                           jsonb_strip_nulls(jsonb_build_object(
                               'status', n.status, 'currency', n.currency, 'amount', n.amount::text,
                               'fee', n.fee::text)))::public.event_draft
                from (select producer_id, id, status, currency, amount,
                             to_jsonb(i) ->> 'fee' as fee from inserted i) n
                order by n.id));
        else
            perform public.append_events(array(
                select row(n.producer_id, prefix || '.' || lower(n.status), object_type, n.id, jsonb_build_object(
                    'status', n.status, 'previousStatus', o.status, 'currency', n.currency,
                    'amount', n.amount::text))::public.event_draft
                from inserted n join deleted o on o.id = n.id where n.status <> o.status order by n.id));
        end if;
        return null;
    end
    $$;

-- a kind whose changes of state are one event (`subscription.status_changed`): TG_ARGV as above
create function status_events() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    declare
        prefix text := tg_argv[0];
        object_type text := tg_argv[1];
        first_event text := tg_argv[2];
    begin
        if tg_op = 'INSERT' then
            perform public.append_events(array(
                select row(n.producer_id, prefix || '.' || first_event, object_type, n.id,
                           jsonb_build_object('status', n.status))::public.event_draft
                from inserted n order by n.id));
        else
            perform public.append_events(array(
                select row(n.producer_id, prefix || '.status_changed', object_type, n.id,
                           jsonb_build_object('status', n.status, 'previousStatus', o.status))::public.event_draft
                from inserted n join deleted o on o.id = n.id where n.status <> o.status order by n.id));
        end if;
        return null;
    end
    $$;

create function statement_entry_events() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        perform public.append_events(array(
            select row(n.producer_id, 'statement_entry.created', 'StatementEntry', n.id, jsonb_build_object(
                'kind', n.kind, 'currency', n.currency, 'amount', n.amount::text))::public.event_draft
            from inserted n order by n.id));
        return null;
    end
    $$;

create trigger sale_created after insert on sales
    referencing new table as inserted for each statement execute function sale_events();
create trigger sale_changed after update on sales
    referencing new table as inserted old table as deleted for each statement execute function sale_events();
create trigger lost_sale_created after insert on lost_sales
    referencing new table as inserted for each statement execute function lost_sale_events();
create trigger lost_sale_changed after update on lost_sales
    referencing new table as inserted old table as deleted for each statement execute function lost_sale_events();
create trigger refund_created after insert on refunds
    referencing new table as inserted for each statement
    execute function stateful_events('refund', 'Refund', 'requested');
create trigger refund_changed after update on refunds
    referencing new table as inserted old table as deleted for each statement
    execute function stateful_events('refund', 'Refund', 'requested');
create trigger withdrawal_created after insert on withdrawals
    referencing new table as inserted for each statement
    execute function stateful_events('withdrawal', 'Withdrawal', 'requested');
create trigger withdrawal_changed after update on withdrawals
    referencing new table as inserted old table as deleted for each statement
    execute function stateful_events('withdrawal', 'Withdrawal', 'requested');
create trigger prepayment_created after insert on prepayments
    referencing new table as inserted for each statement
    execute function stateful_events('prepayment', 'Prepayment', 'requested');
create trigger prepayment_changed after update on prepayments
    referencing new table as inserted old table as deleted for each statement
    execute function stateful_events('prepayment', 'Prepayment', 'requested');
create trigger subscription_created after insert on subscriptions
    referencing new table as inserted for each statement
    execute function status_events('subscription', 'Subscription', 'created');
create trigger subscription_changed after update on subscriptions
    referencing new table as inserted old table as deleted for each statement
    execute function status_events('subscription', 'Subscription', 'created');
create trigger affiliation_created after insert on affiliations
    referencing new table as inserted for each statement
    execute function status_events('affiliation', 'Affiliation', 'requested');
create trigger affiliation_changed after update on affiliations
    referencing new table as inserted old table as deleted for each statement
    execute function status_events('affiliation', 'Affiliation', 'requested');
create trigger receipt_created after insert on receipts
    referencing new table as inserted for each statement
    execute function status_events('receipt', 'Receipt', 'issued');
create trigger receipt_changed after update on receipts
    referencing new table as inserted old table as deleted for each statement
    execute function status_events('receipt', 'Receipt', 'issued');
create trigger statement_entry_created after insert on statement_entries
    referencing new table as inserted for each statement execute function statement_entry_events();

-- events older than the retention (`GATEWAY_EVENT_RETENTION_DAYS`) go (ids never repeat)
create function prune_events(retention interval) returns bigint
    language sql volatile security definer
    set search_path = pg_catalog, public
    as $$
        with pruned as (delete from public.events where occurred_at < now() - retention returning 1)
        select count(*) from pruned
    $$;
revoke all on function prune_events(interval) from public;
grant execute on function prune_events(interval) to sales_gateway_app;
