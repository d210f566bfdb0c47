-- Reports from rollups: the made sales (APPROVED or COMPLETE) of each producer per day of the producer's time
-- zone, currency and dimension, kept by the statements that write the sales, in their own transaction.
--
-- A report over a period then sums a row per day and value instead of aggregating every sale of the period.
-- Dimensions and their values:
--   total               ''
--   payment_method      the method
--   device              the device
--   product             the product's id
--   source              the traffic source; none, empty or "direct" is "(direct)" (loaders/reports.py DIRECT_SOURCE)
--   product_affiliate   "<product id>:<affiliate id>" of sales with an affiliate
-- Every write of the sales goes through these triggers, whoever writes (mutations, the checkout, the seed), and
-- every day is kept exact, today's included: a reader sees the sales and their totals together or neither.
-- Writers of one producer, day, currency and value wait for each other on that row until they commit (a
-- statement takes its rows in key order). A change of a producer's time zone recomputes its rows.

create table sales_daily_totals (
    producer_id bigint  not null references producers (id) on delete cascade,
    dimension   text    not null check (dimension in ('total', 'payment_method', 'device', 'product', 'source',
                                                      'product_affiliate')),
    day         date    not null,  -- of created_at in the producer's time zone
    currency    char(3) not null,
    value       text    not null,
    sales       bigint  not null,
    gross       numeric not null,
    net         numeric not null,
    commission  numeric not null,  -- affiliate commission
    primary key (producer_id, dimension, day, currency, value)
);

-- the serving role reads its producer's rows; the triggers write as the owner (this migration's role), whatever
-- the producer of the transaction
alter table sales_daily_totals enable row level security;
alter table sales_daily_totals force row level security;
create policy tenant_isolation on sales_daily_totals for select using (producer_id = current_producer_id());
create policy kept_by_triggers on sales_daily_totals to current_user using (true) with check (true);
grant select on sales_daily_totals to sales_gateway_app;

-- the rows one sale adds to (sign 1) or takes from (sign -1); nothing for a sale that is not made
create function sales_daily_contributions(
    producer_id bigint, status text, created_at timestamptz, currency char(3), payment_method text, device text,
    product_id bigint, source text, affiliate_id bigint, gross numeric, net numeric, commission numeric,
    sign integer, time_zone text
)
    returns table (producer_id bigint, dimension text, day date, currency char(3), value text, sales bigint,
                   gross numeric, net numeric, commission numeric)
    language sql immutable parallel safe  -- no `set`: inlined into the statements that call it
    as $$
        select $1, d.dimension, ($3 at time zone $14)::date, $4, d.value, $13, $13 * $10, $13 * $11, $13 * $12
        from (values
            ('total', ''),
            ('payment_method', $5),
            ('device', $6),
            ('product', $7::text),
            ('source', case when $8 is null or $8 = '' or lower($8) = 'direct' then '(direct)' else $8 end),
            ('product_affiliate', $7::text || ':' || $9::text)
        ) as d (dimension, value)
        where $2 in ('APPROVED', 'COMPLETE') and d.value is not null
    $$;

-- add the contributions of the inserted rows and take away those of the deleted ones: an insert adds, a delete
-- takes away, an update does both (summed first, so that a change of nothing counted writes nothing)
create function keep_sales_daily_totals() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        if tg_op = 'DELETE' then
            -- only rows that still exist: when a producer is deleted its totals may already be gone
            update public.sales_daily_totals t
            set sales = t.sales + c.sales, gross = t.gross + c.gross, net = t.net + c.net,
                commission = t.commission + c.commission
            from (
                select c.producer_id, c.dimension, c.day, c.currency, c.value, sum(c.sales) as sales,
                       sum(c.gross) as gross, sum(c.net) as net, sum(c.commission) as commission
                from deleted o
                join public.producers p on p.id = o.producer_id
                cross join lateral public.sales_daily_contributions(
                    o.producer_id, o.status, o.created_at, o.currency, o.payment_method, o.device, o.product_id,
                    o.source, o.affiliate_id, o.gross_amount, o.net_amount, o.affiliate_commission, -1,
                    p.time_zone) c
                group by 1, 2, 3, 4, 5
            ) c
            where t.producer_id = c.producer_id and t.dimension = c.dimension and t.day = c.day
              and t.currency = c.currency and t.value = c.value;
            return null;
        end if;
        -- the transition tables an insert or an update has (EXECUTE sees them too)
        execute format($sql$
            insert into public.sales_daily_totals as t
                (producer_id, dimension, day, currency, value, sales, gross, net, commission)
            select c.producer_id, c.dimension, c.day, c.currency, c.value, sum(c.sales), sum(c.gross),
                   sum(c.net), sum(c.commission)
            from (%s) changed
            join public.producers p on p.id = changed.producer_id
            cross join lateral public.sales_daily_contributions(
                changed.producer_id, changed.status, changed.created_at, changed.currency, changed.payment_method,
                changed.device, changed.product_id, changed.source, changed.affiliate_id, changed.gross_amount,
                changed.net_amount, changed.affiliate_commission, changed.sign, p.time_zone) c
            group by 1, 2, 3, 4, 5
            having sum(c.sales) <> 0 or sum(c.gross) <> 0 or sum(c.net) <> 0 or sum(c.commission) <> 0
            order by 1, 2, 3, 4, 5
            on conflict (producer_id, dimension, day, currency, value) do update
            set sales = t.sales + excluded.sales, gross = t.gross + excluded.gross, net = t.net + excluded.net,
                commission = t.commission + excluded.commission
            $sql$,
            case tg_op
                when 'INSERT' then 'select n.*, 1 as sign from inserted n'
                else 'select n.*, 1 as sign from inserted n union all select o.*, -1 from deleted o'
            end);
        return null;
    end
    $$;

-- a new time zone moves every sale to another day: the producer's rows are made again
create function remake_sales_daily_totals() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, public
    as $$
    begin
        delete from public.sales_daily_totals t
        using inserted n join deleted o on o.id = n.id
        where t.producer_id = n.id and n.time_zone is distinct from o.time_zone;
        insert into public.sales_daily_totals
            (producer_id, dimension, day, currency, value, sales, gross, net, commission)
        select c.producer_id, c.dimension, c.day, c.currency, c.value, sum(c.sales), sum(c.gross), sum(c.net),
               sum(c.commission)
        from inserted n
        join deleted o on o.id = n.id and n.time_zone is distinct from o.time_zone
        join public.sales s on s.producer_id = n.id
        cross join lateral public.sales_daily_contributions(
            s.producer_id, s.status, s.created_at, s.currency, s.payment_method, s.device, s.product_id, s.source,
            s.affiliate_id, s.gross_amount, s.net_amount, s.affiliate_commission, 1, n.time_zone) c
        group by 1, 2, 3, 4, 5;
        return null;
    end
    $$;

-- the days are those of PostgreSQL's time zones: a producer's zone must be one of their names (the gateway reads
-- an unknown one as UTC, as the rows below now say)
update producers set time_zone = 'UTC'
where not exists (select 1 from pg_timezone_names z where z.name = producers.time_zone);
create function is_time_zone_name(name text) returns boolean
    language sql stable
    set search_path = pg_catalog
    as $$ select exists (select 1 from pg_timezone_names z where z.name = is_time_zone_name.name) $$;
alter table producers add constraint time_zone_is_known check (is_time_zone_name(time_zone));

lock table sales in share row exclusive mode;
lock table producers in share row exclusive mode;

insert into sales_daily_totals (producer_id, dimension, day, currency, value, sales, gross, net, commission)
select c.producer_id, c.dimension, c.day, c.currency, c.value, sum(c.sales), sum(c.gross), sum(c.net),
       sum(c.commission)
from sales s
join producers p on p.id = s.producer_id
cross join lateral sales_daily_contributions(
    s.producer_id, s.status, s.created_at, s.currency, s.payment_method, s.device, s.product_id, s.source,
    s.affiliate_id, s.gross_amount, s.net_amount, s.affiliate_commission, 1, p.time_zone) c
group by 1, 2, 3, 4, 5;

create trigger keep_sales_daily_totals_on_insert after insert on sales
    referencing new table as inserted
    for each statement execute function keep_sales_daily_totals();
create trigger keep_sales_daily_totals_on_update after update on sales
    referencing old table as deleted new table as inserted
    for each statement execute function keep_sales_daily_totals();
create trigger keep_sales_daily_totals_on_delete after delete on sales
    referencing old table as deleted
    for each statement execute function keep_sales_daily_totals();
create trigger remake_sales_daily_totals after update on producers
    referencing old table as deleted new table as inserted
    for each statement execute function remake_sales_daily_totals();
