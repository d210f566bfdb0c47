-- What the mutations need beyond the read model: the audit log, and the reason a seller cancelled.

-- Every mutation attempt leaves an audit row: which key, what action on what, when, a hash of the input,
-- and how it ended (OK, or the user error code). The serving role may append and read its own rows only.

create table audit_log (
    id          bigint generated always as identity primary key,
    producer_id bigint      not null references producers (id) on delete cascade,
    key_id      bigint      not null references api_keys (id),
    action      text        not null check (length(action) between 1 and 64),
    target_type text,
    target_id   bigint,
    input_hash  bytea       not null,
    outcome     text        not null check (length(outcome) between 1 and 64),
    created_at  timestamptz not null default now()
);
create index audit_log_page on audit_log (producer_id, created_at, id);

alter table audit_log enable row level security;
alter table audit_log force row level security;
create policy tenant_isolation on audit_log using (producer_id = current_producer_id())
    with check (producer_id = current_producer_id());
grant select, insert on audit_log to sales_gateway_app;

-- Why the seller cancelled a subscription (cancelSubscription's optional reason).
alter table subscriptions add column cancellation_reason text check (length(cancellation_reason) <= 1000);
