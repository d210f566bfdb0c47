-- What PostGraphile needs, beyond the gateway's tables, to answer the benchmark's queries as the gateway does.
--
-- Applied by bench/dataset.py to the benchmark's own database on every run (never to a real one). PostGraphile
-- 4 without plugins has no GROUP BY, so the aggregates of Q2 and Q6 are SQL functions here, whose statements
-- are those of loaders/overview.py, loaders/balances.py and loaders/reports.py, with the period's bounds
-- computed from the producer's time zone as resolvers/periods.py does. Every function is SECURITY INVOKER: the
-- serving role calls them, so row-level security applies as it does to the gateway.

drop schema if exists bench_pg cascade;
create schema bench_pg;
grant usage on schema bench_pg to sales_gateway_app;

-- ---- Sale.recovered (Q5): a computed column must live in the table's schema -------------------------------

create or replace function public.sales_recovered(s public.sales) returns boolean
    language sql stable
    as $$
        select exists (select 1 from public.lost_sales l
                       where l.producer_id = s.producer_id and l.recovered_sale_id = s.id)
    $$;
grant execute on function public.sales_recovered(public.sales) to sales_gateway_app;

-- ---- lost sales: the last failed attempt per buyer and product (Q4) -----------------------------------------

create function bench_pg.last_lost_sales() returns setof public.lost_sales
    language sql stable
    as $$
        select l.* from public.lost_sales l
        where l.producer_id = current_producer_id()
          and not exists (select 1 from public.lost_sales later
                          where later.producer_id = l.producer_id and later.buyer_id = l.buyer_id
                            and later.product_id = l.product_id
                            and (later.created_at, later.id) > (l.created_at, l.id))
    $$;
comment on function bench_pg.last_lost_sales() is E'@sortable';

-- ---- the period's instants, in the producer's time zone ----------------------------------------------------

create function bench_pg.period_bounds(first_day date, last_day date, out starts timestamptz, out ends timestamptz)
    language sql stable
    as $$
        select first_day::timestamp at time zone p.time_zone, (last_day + 1)::timestamp at time zone p.time_zone
        from public.producers p where p.id = current_producer_id()
    $$;
comment on function bench_pg.period_bounds(date, date) is E'@omit';

-- ---- Q2: the Sales Management card and the balances --------------------------------------------------------

create function bench_pg.card_sales(first_day date, last_day date)
    returns table (currency text, count bigint, gross_revenue numeric, net_revenue numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        select currency::text, count(*) as count, sum(gross_amount) as gross_revenue, sum(net_amount) as net_revenue
        from public.sales
        where producer_id = current_producer_id() and created_at >= b.starts and created_at < b.ends
          and status = any(array['APPROVED', 'COMPLETE'])
        group by currency
        order by currency;
    end
    $$;
comment on function bench_pg.card_sales(date, date) is E'@simpleCollections only';

create function bench_pg.card_lost_sales(first_day date, last_day date)
    returns table (currency text, count bigint, recovered_count bigint, potential_revenue numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        select currency::text,
               count(*) as count,
               count(recovered_sale_id) as recovered_count,
               coalesce(sum(amount) filter (where recovered_sale_id is null), 0) as potential_revenue
        from public.lost_sales l
        where l.producer_id = current_producer_id() and l.created_at >= b.starts and l.created_at < b.ends
          and not exists (select 1 from public.lost_sales later where later.producer_id = l.producer_id
                          and later.buyer_id = l.buyer_id and later.product_id = l.product_id
                          and (later.created_at, later.id) > (l.created_at, l.id))
        group by currency
        order by currency;
    end
    $$;
comment on function bench_pg.card_lost_sales(date, date) is E'@simpleCollections only';

create function bench_pg.balances()
    returns table (currency text, available numeric, pending numeric, blocked numeric, total numeric)
    language sql stable
    as $$
        select currency::text,
               coalesce(sum(amount - blocked_amount) filter (where available_at <= now()), 0.00) as available,
               coalesce(sum(amount - blocked_amount) filter (where available_at > now()), 0.00) as pending,
               sum(blocked_amount) as blocked,
               sum(amount) as total
        from public.statement_entries
        where producer_id = current_producer_id()
        group by currency
        order by currency
    $$;
comment on function bench_pg.balances() is E'@simpleCollections only';

-- ---- Q6: reports over a period ------------------------------------------------------------------------------

create function bench_pg.report_payment_methods(first_day date, last_day date)
    returns table (payment_method text, currency text, sales bigint, revenue numeric, share numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        select payment_method, currency::text, sales, revenue,
               case when sum(revenue) over (partition by currency) = 0 then 0
                    else round(100 * revenue / sum(revenue) over (partition by currency), 2) end as share
        from (
            select payment_method, currency, count(*) as sales, sum(gross_amount) as revenue
            from public.sales
            where producer_id = current_producer_id() and created_at >= b.starts and created_at < b.ends
              and status = any(array['APPROVED', 'COMPLETE'])
            group by payment_method, currency
        ) per_method
        order by currency, revenue desc, payment_method;
    end
    $$;
comment on function bench_pg.report_payment_methods(date, date) is E'@simpleCollections only';

create function bench_pg.report_revenue_by_device(first_day date, last_day date)
    returns table (device text, currency text, sales bigint, revenue numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        select device, currency::text, count(*) as sales, sum(gross_amount) as revenue
        from public.sales
        where producer_id = current_producer_id() and created_at >= b.starts and created_at < b.ends
          and status = any(array['APPROVED', 'COMPLETE'])
        group by device, currency
        order by currency, revenue desc, device;
    end
    $$;
comment on function bench_pg.report_revenue_by_device(date, date) is E'@simpleCollections only';

create function bench_pg.report_purchase_recovery(first_day date, last_day date)
    returns table (lost bigint, recovered bigint, recovery_rate numeric, currency text, revenue numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        with last_attempts as (
            select l.id, l.reason, l.source, l.recovered_sale_id
            from public.lost_sales l
            where l.producer_id = current_producer_id() and l.created_at >= b.starts and l.created_at < b.ends
              and not exists (select 1 from public.lost_sales later where later.producer_id = l.producer_id
                              and later.buyer_id = l.buyer_id and later.product_id = l.product_id
                              and (later.created_at, later.id) > (l.created_at, l.id))
        ),
        totals as (
            select count(*) as lost, count(recovered_sale_id) as recovered from last_attempts
        ),
        recovering as (
            select s.currency, sum(s.gross_amount) as revenue
            from public.sales s
            where s.producer_id = current_producer_id() and s.id in (select recovered_sale_id from last_attempts)
            group by s.currency
        )
        select t.lost, t.recovered,
               case when t.lost = 0 then 0.00 else round(100.0 * t.recovered / t.lost, 2) end as recovery_rate,
               r.currency::text, r.revenue
        from totals t
        left join recovering r on true
        order by r.currency;
    end
    $$;
comment on function bench_pg.report_purchase_recovery(date, date) is E'@simpleCollections only';

create function bench_pg.report_product_revenue(first_day date, last_day date)
    returns table (product_id bigint, product_name text, currency text, sales bigint, gross_revenue numeric,
                   net_revenue numeric, refunds bigint)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        select rows.product_id, p.name, rows.currency::text, rows.sales, rows.gross_revenue, rows.net_revenue,
               rows.refunds
        from (
            select product_id, currency,
                   sum(sales)::bigint as sales, sum(gross_revenue) as gross_revenue,
                   sum(net_revenue) as net_revenue, sum(refunds)::bigint as refunds
            from (
                select product_id, currency, count(*) as sales, sum(gross_amount) as gross_revenue,
                       sum(net_amount) as net_revenue, 0 as refunds
                from public.sales
                where producer_id = current_producer_id() and created_at >= b.starts and created_at < b.ends
                  and status = any(array['APPROVED', 'COMPLETE'])
                group by product_id, currency
                union all
                select s.product_id, s.currency, 0, 0.00, 0.00, count(*)
                from public.refunds r
                join public.sales s on s.producer_id = r.producer_id and s.id = r.sale_id
                where r.producer_id = current_producer_id() and s.producer_id = current_producer_id()
                  and r.requested_at >= b.starts and r.requested_at < b.ends
                  and r.status = any(array['APPROVED', 'COMPLETED'])
                group by s.product_id, s.currency
            ) parts
            group by product_id, currency
        ) rows
        join public.products p on p.producer_id = current_producer_id() and p.id = rows.product_id
        order by rows.gross_revenue desc, rows.currency, rows.product_id;
    end
    $$;
comment on function bench_pg.report_product_revenue(date, date) is E'@simpleCollections only';

create function bench_pg.report_promoted_products(first_day date, last_day date)
    returns table (product_id bigint, product_name text, affiliates bigint, currency text, sales bigint,
                   revenue numeric, commission numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        with promoted as (
            select product_id, affiliate_id, currency, gross_amount, affiliate_commission
            from public.sales
            where producer_id = current_producer_id() and created_at >= b.starts and created_at < b.ends
              and status = any(array['APPROVED', 'COMPLETE']) and affiliate_id is not null
        ),
        per_product as (
            select product_id, count(distinct affiliate_id) as affiliates, count(*) as total_sales
            from promoted
            group by product_id
        )
        select c.product_id, pr.name, p.affiliates, c.currency::text, c.sales, c.revenue, c.commission
        from (
            select product_id, currency, count(*) as sales, sum(gross_amount) as revenue,
                   sum(affiliate_commission) as commission
            from promoted
            group by product_id, currency
        ) c
        join per_product p on p.product_id = c.product_id
        join public.products pr on pr.producer_id = current_producer_id() and pr.id = c.product_id
        order by p.total_sales desc, c.product_id, c.currency;
    end
    $$;
comment on function bench_pg.report_promoted_products(date, date) is E'@simpleCollections only';

create function bench_pg.report_revenue_over_time(first_day date, last_day date, bucket text)
    returns table (start date, currency text, sales bigint, gross_revenue numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
        zone text;
        step interval;
        first_bucket date;
        bucket_days date[];
        bucket_starts timestamptz[];
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        select p.time_zone into zone from public.producers p where p.id = current_producer_id();
        step := case bucket when 'DAY' then interval '1 day' when 'WEEK' then interval '7 days'
                            else interval '1 month' end;
        first_bucket := case bucket when 'DAY' then first_day
                                    when 'WEEK' then date_trunc('week', first_day)::date
                                    else date_trunc('month', first_day)::date end;
        select array_agg(g.day::date order by g.day),
               array_agg(greatest(g.day::date, first_day)::timestamp at time zone zone order by g.day)
        into bucket_days, bucket_starts
        from generate_series(first_bucket::timestamp, last_day::timestamp, step) as g(day);
        return query
        with made as (
            select currency, width_bucket(created_at, bucket_starts) as bucket_no,
                   count(*) as sales, sum(gross_amount) as gross_revenue
            from public.sales
            where producer_id = current_producer_id() and created_at >= b.starts and created_at < b.ends
              and status = any(array['APPROVED', 'COMPLETE'])
            group by currency, bucket_no
        )
        select bk.start, c.currency::text, coalesce(m.sales, 0) as sales,
               coalesce(m.gross_revenue, 0.00) as gross_revenue
        from unnest(bucket_days) with ordinality as bk(start, bucket)
        cross join (select distinct currency from made) c
        left join made m on m.bucket_no = bk.bucket and m.currency = c.currency
        order by bk.bucket, c.currency;
    end
    $$;
comment on function bench_pg.report_revenue_over_time(date, date, text) is E'@simpleCollections only';

create function bench_pg.report_traffic_sources(first_day date, last_day date)
    returns table (source text, sales bigint, lost_sales bigint, conversion_rate numeric, currency text,
                   revenue numeric)
    language plpgsql stable
    as $$
    #variable_conflict use_column
    declare
        b record;
    begin
        b := bench_pg.period_bounds(first_day, last_day);
        return query
        with made as (
            select case when source is null or source = '' or lower(source) = 'direct' then '(direct)' else source end as source, currency, count(*) as sales,
                   sum(gross_amount) as revenue
            from public.sales
            where producer_id = current_producer_id() and created_at >= b.starts and created_at < b.ends
              and status = any(array['APPROVED', 'COMPLETE'])
            group by 1, currency
        ),
        made_totals as (
            select source, sum(sales)::bigint as sales from made group by source
        ),
        lost as (
            select case when source is null or source = '' or lower(source) = 'direct' then '(direct)' else source end as source, count(*) as lost_sales
            from (
                select l.id, l.reason, l.source, l.recovered_sale_id
                from public.lost_sales l
                where l.producer_id = current_producer_id() and l.created_at >= b.starts and l.created_at < b.ends
                  and not exists (select 1 from public.lost_sales later where later.producer_id = l.producer_id
                                  and later.buyer_id = l.buyer_id and later.product_id = l.product_id
                                  and (later.created_at, later.id) > (l.created_at, l.id))
            ) last_attempts
            group by 1
        ),
        per_source as (
            select coalesce(t.source, l.source) as source, coalesce(t.sales, 0) as sales,
                   coalesce(l.lost_sales, 0) as lost_sales
            from made_totals t
            full join lost l on l.source = t.source
        )
        select p.source, p.sales, p.lost_sales,
               round(100.0 * p.sales / (p.sales + p.lost_sales), 2) as conversion_rate,
               m.currency::text, m.revenue
        from per_source p
        left join made m on m.source = p.source
        order by p.sales desc, p.lost_sales desc, p.source collate "C", m.currency;
    end
    $$;
comment on function bench_pg.report_traffic_sources(date, date) is E'@simpleCollections only';

grant execute on all functions in schema bench_pg to sales_gateway_app;
