-- Signed webhooks: a producer's endpoints, each with the event types it wants, and one delivery per event
-- and endpoint, written in the same transaction as the event (so none is lost), then posted by the delivery
-- worker (`sales-gateway worker`) until the endpoint acknowledges it.

create table webhook_subscriptions (
    id                   bigint      generated always as identity primary key,
    producer_id          bigint      not null references producers (id) on delete cascade,
    url                  text        not null check (length(url) between 8 and 2048),
    topics               text[]      not null check (cardinality(topics) between 1 and 64),
    secret               text        not null,  -- the HMAC key of its signatures, shown once
    status               text        not null default 'ACTIVE' check (status in ('ACTIVE', 'DISABLED')),
    consecutive_failures integer     not null default 0,
    disabled_reason      text,
    created_at           timestamptz not null default now(),
    unique (producer_id, id)
);
create index webhook_subscriptions_page on webhook_subscriptions (producer_id, created_at, id);

create table webhook_deliveries (
    id                 bigint      generated always as identity primary key,
    producer_id        bigint      not null,
    subscription_id    bigint      not null,
    event_id           bigint      not null references events (id) on delete cascade,
    status             text        not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED')),
    attempts           integer     not null default 0,
    next_attempt_at    timestamptz not null default now(),
    last_attempt_at    timestamptz,
    last_response_code integer,
    last_error         text,
    delivered_at       timestamptz,
    created_at         timestamptz not null default now(),
    unique (producer_id, id),
    unique (subscription_id, event_id),
    foreign key (producer_id, subscription_id) references webhook_subscriptions (producer_id, id) on delete cascade
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'PENDING';
create index webhook_deliveries_page on webhook_deliveries (producer_id, created_at, id);

alter table webhook_subscriptions enable row level security;
alter table webhook_subscriptions force row level security;
create policy tenant_isolation on webhook_subscriptions
    using (producer_id = current_producer_id()) with check (producer_id = current_producer_id());
alter table webhook_deliveries enable row level security;
alter table webhook_deliveries force row level security;
create policy tenant_isolation on webhook_deliveries
    using (producer_id = current_producer_id()) with check (producer_id = current_producer_id());
-- the triggers write deliveries for any producer, and the worker's functions (security definer: they run as
-- the tables' owner) read and update them for all, whether or not row-level security binds the owner
create policy written_by_triggers on webhook_deliveries for insert with check (true);
create policy worked_by_the_owner on webhook_deliveries
    using (current_user::text::regrole = (select relowner from pg_class where oid = 'public.webhook_deliveries'::regclass));
create policy worked_by_the_owner on webhook_subscriptions
    using (current_user::text::regrole = (select relowner from pg_class where oid = 'public.webhook_subscriptions'::regclass));
create policy read_by_the_owner on events for select
    using (current_user::text::regrole = (select relowner from pg_class where oid = 'public.events'::regclass));
grant select, insert, delete on webhook_subscriptions to sales_gateway_app;
grant update (status, consecutive_failures, disabled_reason) on webhook_subscriptions to sales_gateway_app;
grant select on webhook_deliveries to sales_gateway_app;
grant update (status, next_attempt_at) on webhook_deliveries to sales_gateway_app;

-- the events of a statement, stored, and one delivery for each endpoint of the producer that wants them
create or replace function append_events(drafts event_draft[]) returns void
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if cardinality(drafts) = 0 then
            return;
        end if;
        with stored as (
            insert into public.events (producer_id, type, object_type, object_pk, payload)
            select d.producer_id, d.type, d.object_type, d.object_pk, d.payload
            from unnest(drafts) with ordinality as d(producer_id, type, object_type, object_pk, payload, position)
            order by d.position
            returning id, producer_id, type
        )
        insert into public.webhook_deliveries (producer_id, subscription_id, event_id)
        select e.producer_id, s.id, e.id
        from stored e
        join public.webhook_subscriptions s
          on s.producer_id = e.producer_id and s.status = 'ACTIVE' and e.type = any(s.topics);
        perform pg_notify('sales_gateway_events', p.producer_id::text)
        from (select distinct d.producer_id from unnest(drafts) d) p;
    end
    $$;

-- the worker's side, for every producer: claim due deliveries (each by one worker at a time), and record what
-- the endpoint answered; security definer, so that the worker needs no tenant and no more than these
create function claim_webhook_deliveries(how_many integer) returns table (
    delivery_id bigint, producer_id bigint, url text, secret text, attempts integer, created_at timestamptz,
    event_id bigint, event_type text, object_type text, object_pk bigint, occurred_at timestamptz, payload jsonb)
    language sql volatile security definer
    set search_path = pg_catalog, public
    as $$
        select d.id, d.producer_id, s.url, s.secret, d.attempts, d.created_at,
               e.id, e.type, e.object_type, e.object_pk, e.occurred_at, e.payload
        from public.webhook_deliveries d
        join public.webhook_subscriptions s on s.id = d.subscription_id
        join public.events e on e.id = d.event_id
        where d.status = 'PENDING' and d.next_attempt_at <= now() and s.status = 'ACTIVE'
        order by d.next_attempt_at, d.id
        limit how_many
        for update of d skip locked
    $$;
revoke all on function claim_webhook_deliveries(integer) from public;
grant execute on function claim_webhook_deliveries(integer) to sales_gateway_app;

-- what the endpoint answered: delivered, or tried again at `retry_at` (null: given up); an endpoint failing
-- `disable_after` times in a row is disabled (its deliveries wait until it is enabled again)
create function record_webhook_attempt(
    delivery bigint, response_code integer, error text, delivered boolean, retry_at timestamptz,
    disable_after integer
) returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, public
    as $$
    declare
        endpoint bigint;
    begin
        update public.webhook_deliveries
        set attempts = attempts + 1, last_attempt_at = now(), last_response_code = response_code,
            last_error = error, delivered_at = case when delivered then now() end,
            status = case when delivered then 'DELIVERED' when retry_at is null then 'FAILED' else 'PENDING' end,
            next_attempt_at = coalesce(retry_at, next_attempt_at)
        where id = delivery
        returning subscription_id into endpoint;
        if delivered then
            update public.webhook_subscriptions set consecutive_failures = 0 where id = endpoint;
        else
            update public.webhook_subscriptions
            set consecutive_failures = consecutive_failures + 1,
                status = case when consecutive_failures + 1 >= disable_after then 'DISABLED' else status end,
                disabled_reason = case when consecutive_failures + 1 >= disable_after
                                       then (consecutive_failures + 1) || ' failed deliveries in a row'
                                       else disabled_reason end
            where id = endpoint;
        end if;
    end
    $$;
revoke all on function record_webhook_attempt(bigint, integer, text, boolean, timestamptz, integer) from public;
grant execute on function record_webhook_attempt(bigint, integer, text, boolean, timestamptz, integer)
    to sales_gateway_app;

-- the keys that had every scope keep having every scope: the two of webhooks are added to them
update api_keys set scopes = scopes || array['webhooks:read', 'webhooks:write']
where scopes @> array['sales:read', 'finance:read', 'finance:write', 'refunds:read', 'refunds:write',
                      'subscriptions:read', 'subscriptions:write', 'affiliations:read', 'affiliations:write',
                      'reports:read']
  and not scopes @> array['webhooks:read'];
