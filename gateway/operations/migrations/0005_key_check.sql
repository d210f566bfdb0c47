-- A key check that fits in the round trip that opens a request's transaction.
--
-- The gateway remembers which producer and scopes a key stands for, so that a request whose key it has
-- seen does not spend a round trip looking it up again; it still checks the key on every request, in the
-- same simple-query round trip as `begin` and the tenant setting, by calling this function. A revoked
-- (or deleted) key makes it raise SQLSTATE SG401, and the gateway answers 401 and forgets the key.

create function assert_api_key(secret_hash bytea, key_id bigint)
    returns void
    language plpgsql stable security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if not exists (
            select 1 from public.api_keys k
            where k.id = assert_api_key.key_id
              and k.secret_hash = assert_api_key.secret_hash
              and k.revoked_at is null
        ) then
            raise exception 'the API key is revoked or unknown' using errcode = 'SG401';
        end if;
    end
    $$;
revoke all on function assert_api_key(bytea, bigint) from public;
grant execute on function assert_api_key(bytea, bigint) to sales_gateway_app;
