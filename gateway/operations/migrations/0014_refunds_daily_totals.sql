-- Reports from rollups, the refunds' part: granted refunds (APPROVED or COMPLETED) per producer, day of the
-- request in the producer's time zone, and product and currency of the refunded sale, kept by the statements
-- that write the refunds, in their own transaction (as migration 0013 does for the sales).

create table refunds_daily_totals (
    producer_id bigint  not null references producers (id) on delete cascade,
    day         date    not null,  -- of requested_at in the producer's time zone
    currency    char(3) not null,  -- the sale's
    product_id  bigint  not null,  -- the sale's
    refunds     bigint  not null,
    primary key (producer_id, day, currency, product_id)
);

alter table refunds_daily_totals enable row level security;
alter table refunds_daily_totals force row level security;
create policy tenant_isolation on refunds_daily_totals for select using (producer_id = current_producer_id());
create policy kept_by_triggers on refunds_daily_totals to current_user using (true) with check (true);
grant select on refunds_daily_totals to sales_gateway_app;

-- add the granted refunds inserted, take away the granted refunds deleted; an update does both
create function keep_refunds_daily_totals() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if tg_op = 'DELETE' then
            -- only rows that still exist: when a producer is deleted its totals may already be gone
            update public.refunds_daily_totals t
            set refunds = t.refunds - c.refunds
            from (
                select o.producer_id, (o.requested_at at time zone p.time_zone)::date as day, s.currency,
                       s.product_id, count(*) as refunds
                from deleted o
                join public.producers p on p.id = o.producer_id
                join public.sales s on s.producer_id = o.producer_id and s.id = o.sale_id
                where o.status in ('APPROVED', 'COMPLETED')
                group by 1, 2, 3, 4
            ) c
            where t.producer_id = c.producer_id and t.day = c.day and t.currency = c.currency
              and t.product_id = c.product_id;
            return null;
        end if;
        -- the transition tables an insert or an update has (EXECUTE sees them too)
        execute format($sql$
            insert into public.refunds_daily_totals as t (producer_id, day, currency, product_id, refunds)
            select changed.producer_id, (changed.requested_at at time zone p.time_zone)::date, s.currency,
                   s.product_id, sum(changed.sign)
            from (%s) changed
            join public.producers p on p.id = changed.producer_id
            join public.sales s on s.producer_id = changed.producer_id and s.id = changed.sale_id
            where changed.status in ('APPROVED', 'COMPLETED')
            group by 1, 2, 3, 4
            having sum(changed.sign) <> 0
            order by 1, 2, 3, 4
            on conflict (producer_id, day, currency, product_id) do update set refunds = t.refunds + excluded.refunds
            $sql$,
            case tg_op
                when 'INSERT' then 'select n.*, 1 as sign from inserted n'
                else 'select n.*, 1 as sign from inserted n union all select o.*, -1 from deleted o'
            end);
        return null;
    end
    $$;

-- a new time zone moves every refund to another day: the producer's rows are made again
create function remake_refunds_daily_totals() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        delete from public.refunds_daily_totals t
        using inserted n join deleted o on o.id = n.id
        where t.producer_id = n.id and n.time_zone is distinct from o.time_zone;
        insert into public.refunds_daily_totals (producer_id, day, currency, product_id, refunds)
        select r.producer_id, (r.requested_at at time zone n.time_zone)::date, s.currency, s.product_id, count(*)
        from inserted n
        join deleted o on o.id = n.id and n.time_zone is distinct from o.time_zone
        join public.refunds r on r.producer_id = n.id
        join public.sales s on s.producer_id = r.producer_id and s.id = r.sale_id
        where r.status in ('APPROVED', 'COMPLETED')
        group by 1, 2, 3, 4;
        return null;
    end
    $$;

lock table refunds in share row exclusive mode;
lock table producers in share row exclusive mode;

insert into refunds_daily_totals (producer_id, day, currency, product_id, refunds)
select r.producer_id, (r.requested_at at time zone p.time_zone)::date, s.currency, s.product_id, count(*)
from refunds r
join producers p on p.id = r.producer_id
join sales s on s.producer_id = r.producer_id and s.id = r.sale_id
where r.status in ('APPROVED', 'COMPLETED')
group by 1, 2, 3, 4;

create trigger keep_refunds_daily_totals_on_insert after insert on refunds
    referencing new table as inserted
    for each statement execute function keep_refunds_daily_totals();
create trigger keep_refunds_daily_totals_on_update after update on refunds
    referencing old table as deleted new table as inserted
    for each statement execute function keep_refunds_daily_totals();
create trigger keep_refunds_daily_totals_on_delete after delete on refunds
    referencing old table as deleted
    for each statement execute function keep_refunds_daily_totals();
create trigger remake_refunds_daily_totals after update on producers
    referencing old table as deleted new table as inserted
    for each statement execute function remake_refunds_daily_totals();
