-- A key's own budget of cost points, for the partner apps that need more (or less) than the gateway's default.
--
-- Null: the gateway's settings (`GATEWAY_COST_BUCKET_SIZE`, `GATEWAY_COST_RESTORE_RATE`). Set with
-- `sales-gateway keys create --cost-limit N --restore-rate R`; `authenticate_api_key` returns them with the key.

alter table api_keys
    add column cost_limit   integer check (cost_limit > 0),
    add column restore_rate integer check (restore_rate > 0);

drop function authenticate_api_key(bytea);
create function authenticate_api_key(secret_hash bytea)
    returns table (key_id bigint, producer_id bigint, scopes text[], cost_limit integer, restore_rate integer)
    language sql stable security definer
    set search_path = pg_catalog, public
    as $$
        select k.id, k.producer_id, k.scopes, k.cost_limit, k.restore_rate
        from public.api_keys k
        where k.secret_hash = authenticate_api_key.secret_hash and k.revoked_at is null
    $$;
revoke all on function authenticate_api_key(bytea) from public;
grant execute on function authenticate_api_key(bytea) to sales_gateway_app;
