-- A subscription's history of statuses: a reactivation no longer erases the cancellation before it.
--
-- `subscriptions.status` and `cancelled_at` say where a subscription stands now (`cancelled_at` is the current
-- cancellation, null while it is not cancelled). Every status it has had is a row here, written by triggers
-- whoever writes the subscription (the gateway's mutations, the checkout, the seed): its start, then each
-- change, with the cancellation's reason. Counts of cancellations and the status at a past date read this.

create table subscription_status_changes (
    id              bigint generated always as identity primary key,
    producer_id     bigint      not null,
    subscription_id bigint      not null,
    status          text        not null,
    changed_at      timestamptz not null,
    reason          text,
    foreign key (producer_id, subscription_id) references subscriptions (producer_id, id) on delete cascade
);
create index subscription_status_changes_by_subscription
    on subscription_status_changes (producer_id, subscription_id, changed_at, id);
create index subscription_status_changes_cancellations
    on subscription_status_changes (producer_id, changed_at) where status like 'CANCELLED%';

alter table subscription_status_changes enable row level security;
alter table subscription_status_changes force row level security;
create policy tenant_isolation on subscription_status_changes
    using (producer_id = current_producer_id()) with check (producer_id = current_producer_id());
grant select on subscription_status_changes to sales_gateway_app;

-- the subscriptions as they were first written: STARTED when they began, then their status at insert if it
-- is another (a cancellation at its time and with its reason; any other status from the start)
create function record_subscription_starts() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        insert into public.subscription_status_changes (producer_id, subscription_id, status, changed_at, reason)
        select producer_id, subscription_id, status, changed_at, reason
        from (
            select producer_id, id as subscription_id, 'STARTED' as status, started_at as changed_at,
                   null::text as reason, 0 as step
            from inserted
            union all
            select producer_id, id, status, coalesce(cancelled_at, started_at), cancellation_reason, 1
            from inserted where status <> 'STARTED'
        ) changes
        order by subscription_id, changed_at, step;
        return null;
    end
    $$;

create function record_subscription_changes() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        insert into public.subscription_status_changes (producer_id, subscription_id, status, changed_at, reason)
        select n.producer_id, n.id, n.status,
               case when n.status like 'CANCELLED%' then n.cancelled_at else now() end, n.cancellation_reason
        from inserted n join deleted o on o.id = n.id
        where n.status <> o.status
        order by n.id;
        return null;
    end
    $$;

create trigger subscription_starts after insert on subscriptions
    referencing new table as inserted for each statement execute function record_subscription_starts();
create trigger subscription_changes after update on subscriptions
    referencing new table as inserted old table as deleted for each statement
    execute function record_subscription_changes();

-- the subscriptions written before this migration: their start, and their status now if it is another (when it
-- began is known only for a cancellation)
insert into subscription_status_changes (producer_id, subscription_id, status, changed_at, reason)
select producer_id, subscription_id, status, changed_at, reason
from (
    select producer_id, id as subscription_id, 'STARTED' as status, started_at as changed_at, null::text as reason,
           0 as step
    from subscriptions
    union all
    select producer_id, id, status, coalesce(cancelled_at, started_at), cancellation_reason, 1
    from subscriptions where status <> 'STARTED'
) changes
order by subscription_id, changed_at, step;
