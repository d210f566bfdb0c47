-- Row-level security: the second wall between producers.
--
-- The gateway serves through a role that is a member of `sales_gateway_app`: it owns no table, cannot
-- bypass RLS, and sees only the rows of the producer named by the transaction-local setting
-- `app.producer_id`. No setting, no rows (fail closed). API keys are not readable by it at all: it may
-- only call `authenticate_api_key`, which runs as the owner.

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'sales_gateway_app') then
        create role sales_gateway_app nologin nosuperuser nobypassrls;
    end if;
end
$$;

create function current_producer_id() returns bigint
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.producer_id', true), '')::bigint $$;

grant usage on schema public to sales_gateway_app;
grant execute on function current_producer_id() to sales_gateway_app;

-- reads everywhere; writes only where mutations write; the ledger is append-only
grant select on producers, products, buyers, affiliates, affiliations, subscriptions, sales, lost_sales,
                refunds, withdrawals, prepayments, receipts, statement_entries to sales_gateway_app;
grant update on affiliations, subscriptions, sales, refunds, withdrawals, prepayments, receipts to sales_gateway_app;
grant insert on withdrawals, prepayments, statement_entries to sales_gateway_app;

alter table producers enable row level security;
alter table producers force row level security;
create policy tenant_isolation on producers using (id = current_producer_id());

do $$
declare
    tenant_table text;
begin
    foreach tenant_table in array array[
        'products', 'buyers', 'affiliates', 'affiliations', 'subscriptions', 'sales', 'lost_sales', 'refunds',
        'withdrawals', 'prepayments', 'receipts', 'statement_entries'
    ] loop
        execute format('alter table %I enable row level security', tenant_table);
        execute format('alter table %I force row level security', tenant_table);
        execute format(
            'create policy tenant_isolation on %I using (producer_id = current_producer_id()) '
            'with check (producer_id = current_producer_id())',
            tenant_table
        );
    end loop;
end
$$;

-- API keys are credentials, not tenant data: the serving role has no privilege on the table at all. RLS is
-- enabled (not forced, so the owner-run function below can read it) and has no policy for anyone else.
-- Keys are found before the tenant is known: by the hash of the secret, through this function only.
alter table api_keys enable row level security;

create function authenticate_api_key(secret_hash bytea)
    returns table (key_id bigint, producer_id bigint, scopes text[])
    language sql stable security definer
    set search_path = pg_catalog, public
    as $$
        select k.id, k.producer_id, k.scopes
        from public.api_keys k
        where k.secret_hash = authenticate_api_key.secret_hash and k.revoked_at is null
    $$;
revoke all on function authenticate_api_key(bytea) from public;
grant execute on function authenticate_api_key(bytea) to sales_gateway_app;
