-- Deterministic demo data, generated inside PostgreSQL; run step by step by gateway/demo.py.
--
-- Every random draw is pg_temp.demo_u(key, stream, salt): a hash of a stable key (the ordinal of what is being
-- generated) and a stream (one per attribute) mapped to [0, 1), never random(): the same parameters give the same
-- rows whatever the plan. Ids are explicit: the table's base + an ordinal in a fixed order (by producer, then time,
-- for the big tables, which keeps their inserts local in the indexes); demo.py moves the identity sequences past
-- them. `demo_params` is one row: the parameters, the id bases, and the weighted choices of demo.py as
-- pg_temp.demo_choice values, drawn with pg_temp.demo_pick(choice, u).
--
-- Streams: plan 1-9, products 10-19, people 20-39, affiliations 40-49, subscriptions 50-59 and 150, sales 60-84,
-- lost sales 85-99, refunds 100-109, prepayments 110-119, ledger 120-129, withdrawals 130-139, receipts 140-149.
-- A stream appears twice only in exclusive branches of one CASE.

-- step: functions
create type pg_temp.demo_choice as (labels text[], bounds double precision[]);

create function pg_temp.demo_u(key bigint, stream integer, salt bigint) returns double precision
    language sql immutable parallel safe
    return (hashint8extended(key, hashint8extended(stream, salt)) & 9007199254740991)::double precision
           / 9007199254740992;

create function pg_temp.demo_pick(choice pg_temp.demo_choice, u double precision) returns text
    language sql immutable parallel safe
    return (choice).labels[width_bucket(u, (choice).bounds)];

-- Beware: PostgreSQL inlines these only if a parameter used twice gets a cheap argument (a column, a little
-- arithmetic); a function call there would run once per row instead, many times slower.

-- a whole second in [low, high]
create function pg_temp.demo_between(low timestamptz, high timestamptz, u double precision) returns timestamptz
    language sql stable parallel safe
    return low + interval '1 second' * floor(extract(epoch from high - low)::double precision * u);

-- a draw skewed towards 0 (the square of a uniform one)
create function pg_temp.demo_u2(key bigint, stream integer, salt bigint) returns double precision
    language sql immutable parallel safe
    return pg_temp.demo_u(key, stream, salt) * pg_temp.demo_u(key, stream, salt);

-- how long before the anchor a sale happened, within 400 days: the least of three uniform draws, a business that
-- grew threefold over the period (5% of the sales in the last 7 days, 21% in the last 30), with no spike
create function pg_temp.demo_age(key bigint, stream integer, salt bigint) returns interval
    language sql immutable parallel safe
    return interval '1 second' * floor(34560000 * least(pg_temp.demo_u(key, stream, salt),
                                                        pg_temp.demo_u(key, stream + 1, salt),
                                                        pg_temp.demo_u(key, stream + 2, salt)));

-- how long the money of an approved sale stays pending
create function pg_temp.demo_guarantee(payment_method text) returns interval
    language sql immutable parallel safe
    return case when payment_method in ('PIX', 'BILLET') then interval '7 days'
                when payment_method in ('DIRECT_DEBIT', 'BANK_TRANSFER') then interval '14 days'
                else interval '30 days' end;

-- names are letters and spaces: 'João Conceição' -> 'joao.conceicao'
create function pg_temp.demo_slug(value text) returns text
    language sql immutable parallel safe
    return translate(lower(value), 'áàâãäéèêëíìîïóòôõöúùûüçñ ', 'aaaaaeeeeiiiiooooouuuucn.');

-- step: plan
-- One row per producer: its share of the sales (the first producer has 10%, the others a heavy-tailed
-- share of the rest), how many of each thing it gets, and where its id ranges start.
create temp table demo_plan on commit drop as
with weighted as (
    select o, p.sales,
           case when p.producers = 1 then p.sales else round(p.sales * 0.10)::bigint end as first_sales,
           case when o = 1 then 0
                else round((1 / (0.02 + pg_temp.demo_u(o, 1, p.salt)))::numeric, 6) end as weight
    from demo_params p cross join generate_series(1, p.producers) as o
), allotted as (
    select o,
           case when o = 1 then first_sales
                else floor((sales - first_sales) * sum(weight) over upto / sum(weight) over ())::bigint
                   - floor((sales - first_sales) * (sum(weight) over upto - weight) / sum(weight) over ())::bigint
           end as n_sales
    from weighted
    window upto as (order by o)
), sized as (
    select a.o, a.n_sales,
           case when a.o = 1 then 'America/Sao_Paulo'
                else pg_temp.demo_pick(p.time_zone, pg_temp.demo_u(a.o, 2, p.salt)) end as time_zone,
           (4 + floor(sqrt(a.n_sales) / 4))::integer as n_products,
           (3 + ceil(a.n_sales * 0.35))::integer as n_customers,
           (2 + ceil(a.n_sales * 0.03))::integer as n_prospects,
           (2 + a.n_sales / 400)::integer as n_affiliates,
           floor(a.n_sales * 0.015)::integer as n_subscriptions
    from allotted a cross join demo_params p
)
select s.*,
       case when s.time_zone = 'America/Sao_Paulo' then 'BRL'
            when s.time_zone in ('Europe/Lisbon', 'Europe/Madrid') then 'EUR'
            else 'USD' end as currency,
       s.n_products - (s.n_products + 7) / 8 as n_plain_products,  -- every 8th product is a subscription
       least(s.n_affiliates, 3 + s.n_affiliates / 40, 50) as affiliate_slots,
       p.producers_base + s.o as producer_id,
       p.products_base + sum(s.n_products) over upto - s.n_products as product_base,
       p.buyers_base + sum(s.n_customers + s.n_prospects) over upto - s.n_customers - s.n_prospects as buyer_base,
       p.affiliates_base + sum(s.n_affiliates) over upto - s.n_affiliates as affiliate_base,
       (sum(s.n_subscriptions) over upto - s.n_subscriptions)::bigint as subscriptions_before,
       (sum(s.n_sales) over upto - s.n_sales)::bigint as sales_before
from sized s cross join demo_params p
window upto as (order by s.o);
analyze demo_plan;

-- step: producers
insert into producers (id, name, email, time_zone, default_currency, created_at) overriding system value
select pl.producer_id, n.name,
       pg_temp.demo_slug(n.name) || pl.o || '@' || pg_temp.demo_pick(p.email_domain, pg_temp.demo_u(pl.o, 3, p.salt)),
       pl.time_zone, pl.currency,
       p.anchor - interval '1 second' * floor(86400 * (1000 + 900 * pg_temp.demo_u(pl.o, 4, p.salt)))
from demo_plan pl
cross join demo_params p
cross join lateral (
    select case when pg_temp.demo_u(pl.o, 5, p.salt) < 0.5
                then pg_temp.demo_pick(p.first_name, pg_temp.demo_u(pl.o, 6, p.salt)) || ' '
                     || pg_temp.demo_pick(p.last_name, pg_temp.demo_u(pl.o, 7, p.salt))
                else pg_temp.demo_pick(p.brand_prefix, pg_temp.demo_u(pl.o, 8, p.salt)) || ' '
                     || pg_temp.demo_pick(p.topic, pg_temp.demo_u(pl.o, 9, p.salt)) end as name
) as n
order by pl.producer_id;

-- step: products
-- Product k of a producer: every 8th (k = 0, 8, ...) is a subscription, k = 1, 2, 4, 6, 7 a course, an e-book,
-- a community, an event, a software; k = 3 and k = 5 are sold in a foreign currency (USD, EUR).
insert into products (id, producer_id, name, kind, price, currency, created_at) overriding system value
with drawn as (
    select pl.producer_id, pl.currency as home, k, pl.product_base + k + 1 as id,
           pl.product_base + k + 1 - p.products_base as key
    from demo_plan pl
    cross join demo_params p
    cross join lateral generate_series(0, pl.n_products - 1) as k
), typed as (
    select d.*,
           case when d.k % 8 = 0 then 'SUBSCRIPTION'
                when d.k = 1 then 'ONLINE_COURSE'
                when d.k = 2 then 'EBOOK'
                when d.k = 4 then 'COMMUNITY'
                when d.k = 6 then 'EVENT'
                when d.k = 7 then 'SOFTWARE'
                else pg_temp.demo_pick(p.product_kind, pg_temp.demo_u(d.key, 10, p.salt)) end as kind,
           case when d.k = 3 then case when d.home = 'USD' then 'BRL' else 'USD' end
                when d.k = 5 then case when d.home = 'EUR' then 'BRL' else 'EUR' end
                when pg_temp.demo_u(d.key, 11, p.salt) < 0.85 then d.home
                else pg_temp.demo_pick(p.currency, pg_temp.demo_u(d.key, 12, p.salt)) end as currency,
           pg_temp.demo_pick(p.topic, pg_temp.demo_u(d.key, 13, p.salt)) as topic,
           pg_temp.demo_u(d.key, 14, p.salt) as u_price
    from drawn d cross join demo_params p
), based as (
    select t.*,
           floor(case t.kind when 'EBOOK' then 19 + 78 * t.u_price
                             when 'ONLINE_COURSE' then 97 + 1900 * t.u_price
                             when 'COMMUNITY' then 29 + 268 * t.u_price
                             when 'EVENT' then 47 + 950 * t.u_price
                             when 'SOFTWARE' then 49 + 448 * t.u_price
                             else 29 + 120 * t.u_price end)::numeric as base_price
    from typed t
)
select b.id, b.producer_id,
       case b.kind
           when 'ONLINE_COURSE' then 'Curso ' || b.topic || ' '
                                     || pg_temp.demo_pick(p.course_suffix, pg_temp.demo_u(b.key, 15, p.salt))
           when 'EBOOK' then 'E-book ' || b.topic || ': '
                             || pg_temp.demo_pick(p.ebook_suffix, pg_temp.demo_u(b.key, 15, p.salt))
           when 'COMMUNITY' then 'Comunidade ' || b.topic
           when 'EVENT' then 'Imersão ' || b.topic || ' ao Vivo'
           when 'SOFTWARE' then b.topic || ' '
                                || pg_temp.demo_pick(p.software_suffix, pg_temp.demo_u(b.key, 15, p.salt))
           else 'Clube ' || b.topic end,
       b.kind,
       case when b.currency = 'BRL'
            then b.base_price + case when pg_temp.demo_u(b.key, 16, p.salt) < 0.6 then 0.90 else 0 end
            else greatest(4, floor(b.base_price / 5)) + 0.99 end,
       b.currency,
       p.anchor - interval '1 second' * floor(86400 * (405 + 590 * pg_temp.demo_u(b.key, 17, p.salt)))
from based b cross join demo_params p
order by b.id;

-- step: buyers
-- Buyer i of a producer: the first n_customers buy; the others (prospects) only ever abandon checkouts.
insert into buyers (id, producer_id, name, email, phone, country, created_at) overriding system value
with drawn as (
    select pl.producer_id, pl.buyer_base + i + 1 as id, pl.buyer_base + i + 1 - p.buyers_base as key,
           pg_temp.demo_pick(p.first_name, pg_temp.demo_u(pl.buyer_base + i + 1 - p.buyers_base, 20, p.salt)) as first,
           pg_temp.demo_pick(p.last_name, pg_temp.demo_u(pl.buyer_base + i + 1 - p.buyers_base, 21, p.salt)) as last,
           nullif(case when pl.currency = 'BRL'
                       then pg_temp.demo_pick(p.country_br, pg_temp.demo_u(pl.buyer_base + i + 1 - p.buyers_base, 22, p.salt))
                       else pg_temp.demo_pick(p.country_intl, pg_temp.demo_u(pl.buyer_base + i + 1 - p.buyers_base, 22, p.salt))
                  end, '') as country
    from demo_plan pl
    cross join demo_params p
    cross join lateral generate_series(0, pl.n_customers + pl.n_prospects - 1) as i
)
select d.id, d.producer_id, d.first || ' ' || d.last,
       case when pg_temp.demo_u(d.key, 23, p.salt) < 0.1 then initcap(d.first) || '.' || initcap(d.last)
            else pg_temp.demo_slug(d.first) || '.' || pg_temp.demo_slug(d.last) end
       || case when pg_temp.demo_u(d.key, 24, p.salt) < 0.6
               then (1 + floor(98 * pg_temp.demo_u(d.key, 25, p.salt)))::text else '' end
       || '@' || pg_temp.demo_pick(p.email_domain, pg_temp.demo_u(d.key, 26, p.salt)),
       case when pg_temp.demo_u(d.key, 27, p.salt) < 0.25 then null
            when d.country = 'BR'
            then '+55 ' || (11 + floor(88 * pg_temp.demo_u(d.key, 28, p.salt)))::integer || ' 9'
                 || to_char(floor(1e8 * pg_temp.demo_u(d.key, 29, p.salt)), 'FM0000"-"0000')
            else '+' || case d.country when 'PT' then '351' when 'MX' then '52' when 'AR' then '54'
                                       when 'CO' then '57' when 'ES' then '34' else '1' end
                 || ' ' || to_char(floor(1e9 * pg_temp.demo_u(d.key, 29, p.salt)), 'FM000000000') end,
       d.country,
       p.anchor - interval '1 second' * floor(86400 * (400 + 400 * pg_temp.demo_u(d.key, 30, p.salt)))
from drawn d cross join demo_params p
order by d.id;

-- step: affiliates
insert into affiliates (id, producer_id, name, email, created_at) overriding system value
with drawn as (
    select pl.producer_id, pl.affiliate_base + i + 1 as id, pl.affiliate_base + i + 1 - p.affiliates_base as key,
           pg_temp.demo_pick(p.first_name, pg_temp.demo_u(pl.affiliate_base + i + 1 - p.affiliates_base, 31, p.salt))
           || ' '
           || pg_temp.demo_pick(p.last_name, pg_temp.demo_u(pl.affiliate_base + i + 1 - p.affiliates_base, 32, p.salt))
           as name
    from demo_plan pl
    cross join demo_params p
    cross join lateral generate_series(0, pl.n_affiliates - 1) as i
)
select d.id, d.producer_id, d.name,
       pg_temp.demo_slug(d.name) || '.afiliado' || d.key || '@'
       || pg_temp.demo_pick(p.email_domain, pg_temp.demo_u(d.key, 33, p.salt)),
       p.anchor - interval '1 second' * floor(86400 * (420 + 300 * pg_temp.demo_u(d.key, 34, p.salt)))
from drawn d cross join demo_params p
order by d.id;

-- step: affiliations
-- Product k has `affiliate_slots` affiliations, slot j with affiliate (7k + j) mod n_affiliates: sales find
-- their affiliation with the same arithmetic.
insert into affiliations (id, producer_id, affiliate_id, product_id, status, commission_rate, applied_at,
                          decided_at, decision_reason) overriding system value
with slots as (
    select pl.producer_id, pl.product_base + k + 1 as product_id,
           pl.affiliate_base + (7 * k + j) % pl.n_affiliates + 1 as affiliate_id,
           (pl.product_base + k + 1 - p.products_base) * 64 + j as key
    from demo_plan pl
    cross join demo_params p
    cross join lateral generate_series(0, pl.n_products - 1) as k
    cross join lateral generate_series(0, pl.affiliate_slots - 1) as j
), drawn as (
    select s.*, pg_temp.demo_pick(p.affiliation_status, pg_temp.demo_u(s.key, 40, p.salt)) as status,
           pg_temp.demo_pick(p.commission_rate, pg_temp.demo_u(s.key, 41, p.salt))::numeric(5, 2) as rate,
           greatest(pr.created_at, af.created_at) as earliest
    from slots s
    cross join demo_params p
    join products pr on pr.id = s.product_id
    join affiliates af on af.id = s.affiliate_id
), timed as (
    select d.*,
           case when d.status = 'PENDING'
                then p.anchor - interval '1 second' * floor(2592000 * pg_temp.demo_u(d.key, 42, p.salt))
                else pg_temp.demo_between(d.earliest, p.anchor - interval '30 days',
                                          pg_temp.demo_u2(d.key, 42, p.salt)) end as applied_at
    from drawn d cross join demo_params p
), numbered as (
    select t.*, p.affiliations_base + row_number() over (order by t.applied_at, t.key) as id
    from timed t cross join demo_params p
)
select n.id, n.producer_id, n.affiliate_id, n.product_id, n.status, n.rate, n.applied_at,
       case when n.status <> 'PENDING'
            then n.applied_at + interval '1 second' * floor(3600 + 428400 * pg_temp.demo_u(n.key, 43, p.salt)) end,
       case n.status
           when 'REJECTED' then pg_temp.demo_pick(p.affiliation_rejected, pg_temp.demo_u(n.key, 44, p.salt))
           when 'BLOCKED' then pg_temp.demo_pick(p.affiliation_blocked, pg_temp.demo_u(n.key, 44, p.salt))
           when 'CANCELLED' then pg_temp.demo_pick(p.affiliation_cancelled, pg_temp.demo_u(n.key, 44, p.salt))
       end
from numbered n cross join demo_params p
order by n.id;

-- step: subscription_plan
-- Subscriptions with everything their charges need: plan length, how many charges fell before the end
-- (cancellation or the anchor), payment method and affiliate.
create temp table demo_subs on commit drop as
with drawn as (
    select pl.producer_id, pl.subscriptions_before + i + 1 as key, pl.affiliate_base, pl.n_affiliates,
           pl.affiliate_slots, pl.product_base,
           pl.buyer_base + floor(pl.n_customers * pg_temp.demo_u(pl.subscriptions_before + i + 1, 50, p.salt))::integer
           + 1 as buyer_id,
           8 * floor((pl.n_products + 7) / 8 * pg_temp.demo_u(pl.subscriptions_before + i + 1, 51, p.salt))::integer
           as k
    from demo_plan pl
    cross join demo_params p
    cross join lateral generate_series(0, pl.n_subscriptions - 1) as i
), planned as (
    select d.producer_id, d.key, d.buyer_id, d.product_base + d.k + 1 as product_id,
           case when pg_temp.demo_u(d.key, 52, p.salt) < 0.3
                then d.affiliate_base + (7 * d.k + floor(d.affiliate_slots * pg_temp.demo_u(d.key, 53, p.salt))::integer)
                     % d.n_affiliates + 1 end as affiliate_candidate,
           pg_temp.demo_pick(p.plan, pg_temp.demo_u(d.key, 54, p.salt)) as plan,
           pg_temp.demo_pick(p.subscription_status, pg_temp.demo_u(d.key, 55, p.salt)) as status
    from drawn d cross join demo_params p
), priced as materialized (
    select pd.*, pr.currency,
           case pd.plan when 'Mensal' then 1 when 'Trimestral' then 3 when 'Semestral' then 6 else 12 end as months,
           round(pr.price * case pd.plan when 'Mensal' then 1 when 'Trimestral' then 2.8
                                         when 'Semestral' then 5.4 else 10 end, 2) as price,
           case when pd.status = 'STARTED'
                then p.anchor - interval '1 second' * floor(432000 * pg_temp.demo_u(pd.key, 56, p.salt))
                else p.anchor - interval '1 second'
                                * floor(86400 * (35 + 365 * pg_temp.demo_u(pd.key, 56, p.salt))) end as started_at,
           case when pr.currency = 'BRL'
                then pg_temp.demo_pick(p.subscription_payment_brl, pg_temp.demo_u(pd.key, 57, p.salt))
                else pg_temp.demo_pick(p.subscription_payment_intl, pg_temp.demo_u(pd.key, 57, p.salt))
           end as payment_method
    from planned pd
    cross join demo_params p
    join products pr on pr.id = pd.product_id
), stopped as (
    select pc.*,
           case when pc.status like 'CANCELLED%' or pc.status = 'INACTIVE'
                then pg_temp.demo_between(pc.started_at, p.anchor, pg_temp.demo_u(pc.key, 58, p.salt))
                else p.anchor end as stop_at
    from priced pc cross join demo_params p
), counted as (
    select st.*,
           (select count(*) from generate_series(0, 14) as n
            where st.started_at + make_interval(months => n * st.months) <= st.stop_at)::integer as n_charges
    from stopped st
)
select p.subscriptions_base + row_number() over (order by c.started_at, c.key) as id,
       c.producer_id, c.key, c.buyer_id, c.product_id, 'Plano ' || c.plan as plan_name, c.months, c.price,
       c.currency, c.status, c.started_at, c.stop_at, c.n_charges,
       case when c.status like 'CANCELLED%' then c.stop_at end as cancelled_at,
       case when c.status = 'STARTED' then 0
            when c.status in ('DELAYED', 'OVERDUE') then c.n_charges - 1
            else c.n_charges end as recurrence,
       case c.status
           when 'ACTIVE' then c.started_at + make_interval(months => c.n_charges * c.months)
           when 'STARTED' then c.started_at
           when 'DELAYED' then c.started_at + make_interval(months => (c.n_charges - 1) * c.months, days => 3)
           when 'OVERDUE' then c.started_at + make_interval(months => (c.n_charges - 1) * c.months)
       end as next_charge_at,
       c.payment_method,
       pg_temp.demo_pick(p.device, pg_temp.demo_u(c.key, 59, p.salt)) as device,
       nullif(pg_temp.demo_pick(p.source, pg_temp.demo_u(c.key, 150, p.salt)), '') as source,
       a.affiliate_id, a.commission_rate
from counted c
cross join demo_params p
left join affiliations a
       on a.producer_id = c.producer_id and a.affiliate_id = c.affiliate_candidate and a.product_id = c.product_id
      and a.status = 'ACTIVE' and a.decided_at < c.started_at;
analyze demo_subs;

-- step: subscriptions
insert into subscriptions (id, producer_id, buyer_id, product_id, plan_name, price, currency, status, started_at,
                           cancelled_at, next_charge_at, recurrence, billing_months) overriding system value
select id, producer_id, buyer_id, product_id, plan_name, price, currency, status, started_at, cancelled_at,
       next_charge_at, recurrence, months
from demo_subs
order by id;

-- step: sales
-- The charges of the subscriptions, then as many one-off sales as each producer's share leaves. A drawn
-- status 'MADE' becomes COMPLETE once the guarantee period is over (mostly) or APPROVED before.
insert into sales (id, producer_id, transaction_code, status, product_id, offer_code, buyer_id, affiliate_id,
                   subscription_id, payment_method, installments, device, source, currency, gross_amount, fees,
                   taxes, affiliate_commission, net_amount, created_at, approved_at) overriding system value
with one_off_plan as (
    select pl.*, greatest(0, pl.n_sales - coalesce(c.charges, 0)) as n_one_off
    from demo_plan pl
    left join (select producer_id, sum(n_charges) as charges from demo_subs group by producer_id) as c
           on c.producer_id = pl.producer_id
), one_off_ranges as (
    select o.*, (sum(o.n_one_off) over (order by o.o) - o.n_one_off)::bigint as one_off_before
    from one_off_plan o
), one_off_drawn as (
    select r.producer_id, r.one_off_before + i + 1 as key, r.product_base, r.buyer_base, r.n_customers,
           r.affiliate_base, r.n_affiliates, r.affiliate_slots,
           floor(r.n_plain_products * pg_temp.demo_u2(r.one_off_before + i + 1, 60, p.salt))::integer as plain
    from one_off_ranges r
    cross join demo_params p
    cross join lateral generate_series(0, r.n_one_off - 1) as i
), one_off_picked as materialized (  -- each draw computed once, not once per use
    select d.producer_id, d.key, d.product_base + x.k + 1 as product_id,
           d.buyer_base + floor(d.n_customers * pg_temp.demo_u(d.key, 61, p.salt))::integer + 1 as buyer_id,
           case when pg_temp.demo_u(d.key, 62, p.salt) < 0.4
                then d.affiliate_base + (7 * x.k + floor(d.affiliate_slots * pg_temp.demo_u(d.key, 63, p.salt))::integer)
                     % d.n_affiliates + 1 end as affiliate_candidate
    from one_off_drawn d
    cross join demo_params p
    cross join lateral (select d.plain + d.plain / 7 + 1 as k) as x
), one_off_paid as (
    select pk.*, pr.currency, pr.price,
           case when pr.currency = 'BRL' then pg_temp.demo_pick(p.payment_brl, pg_temp.demo_u(pk.key, 64, p.salt))
                else pg_temp.demo_pick(p.payment_intl, pg_temp.demo_u(pk.key, 64, p.salt)) end as payment_method,
           nullif(pg_temp.demo_pick(p.offer, pg_temp.demo_u(pk.key, 65, p.salt)), '') as offer_code
    from one_off_picked pk
    cross join demo_params p
    join products pr on pr.id = pk.product_id
), one_off_dated as (
    select pd.*, p.anchor - pg_temp.demo_age(pd.key, 70, p.salt) as created_at
    from one_off_paid pd cross join demo_params p
), one_off as materialized (
    -- the last week still has sales waiting for payment or analysis; older ones are settled one way or another
    select d.producer_id, 1 as src, d.key, d.product_id, d.buyer_id, null::bigint as subscription_id,
           d.affiliate_candidate, d.offer_code, d.payment_method,
           case when d.payment_method = 'CREDIT_CARD'
                then pg_temp.demo_pick(p.installments, pg_temp.demo_u(d.key, 67, p.salt))::smallint
                else 1 end as installments,
           pg_temp.demo_pick(p.device, pg_temp.demo_u(d.key, 68, p.salt)) as device,
           nullif(pg_temp.demo_pick(p.source, pg_temp.demo_u(d.key, 69, p.salt)), '') as source,
           d.currency,
           round(d.price * case d.offer_code when 'LANCAMENTO' then 0.7 when 'BLACKFRIDAY' then 0.5
                                              when 'DESCONTO10' then 0.9 when 'VIP20' then 0.8
                                              when 'CUPOM30' then 0.7 else 1 end, 2) as gross_amount,
           case when d.created_at > p.anchor - interval '7 days' then
                case when d.payment_method = 'PIX'
                     then pg_temp.demo_pick(p.status_pix_recent, pg_temp.demo_u(d.key, 66, p.salt))
                     when d.payment_method = 'BILLET'
                     then pg_temp.demo_pick(p.status_billet_recent, pg_temp.demo_u(d.key, 66, p.salt))
                     when d.payment_method in ('DIRECT_DEBIT', 'BANK_TRANSFER')
                     then pg_temp.demo_pick(p.status_transfer_recent, pg_temp.demo_u(d.key, 66, p.salt))
                     else pg_temp.demo_pick(p.status_card_recent, pg_temp.demo_u(d.key, 66, p.salt)) end
                when d.payment_method = 'PIX' then pg_temp.demo_pick(p.status_pix, pg_temp.demo_u(d.key, 66, p.salt))
                when d.payment_method = 'BILLET'
                then pg_temp.demo_pick(p.status_billet, pg_temp.demo_u(d.key, 66, p.salt))
                when d.payment_method in ('DIRECT_DEBIT', 'BANK_TRANSFER')
                then pg_temp.demo_pick(p.status_transfer, pg_temp.demo_u(d.key, 66, p.salt))
                else pg_temp.demo_pick(p.status_card, pg_temp.demo_u(d.key, 66, p.salt)) end as status_drawn,
           d.created_at
    from one_off_dated d cross join demo_params p
), one_off_affiliated as (
    select o.producer_id, o.src, o.key, o.product_id, o.buyer_id, o.subscription_id, a.affiliate_id,
           a.commission_rate, o.offer_code, o.payment_method, o.installments, o.device, o.source, o.currency,
           o.gross_amount, o.status_drawn, o.created_at
    from one_off o
    left join affiliations a
           on a.producer_id = o.producer_id and a.affiliate_id = o.affiliate_candidate
          and a.product_id = o.product_id and a.status = 'ACTIVE' and a.decided_at < o.created_at
), charges as (
    select s.producer_id, 0 as src, s.key * 16 + n as key, s.product_id, s.buyer_id, s.id as subscription_id,
           s.affiliate_id, s.commission_rate, null::text as offer_code, s.payment_method, 1::smallint as installments,
           s.device, case when n = 0 then s.source end as source, s.currency, s.price as gross_amount,
           case when n < s.n_charges - 1 then 'MADE'
                when s.status = 'DELAYED' then 'NO_FUNDS'
                when s.status = 'OVERDUE' then 'OVERDUE'
                when s.status = 'STARTED'
                then case when s.payment_method in ('PIX', 'BILLET') then 'WAITING_PAYMENT'
                          else 'PROCESSING_TRANSACTION' end
                else 'MADE' end as status_drawn,
           s.started_at + make_interval(months => n * s.months) as created_at
    from demo_subs s cross join lateral generate_series(0, s.n_charges - 1) as n
), combined as (
    select * from charges
    union all
    select * from one_off_affiliated
), approved as materialized (
    select c.*,
           case when c.status_drawn in ('MADE', 'REFUNDED', 'PARTIALLY_REFUNDED', 'CHARGEBACK', 'DISPUTE')
                -- paid within minutes (cards, pix) or days (billets, transfers), and before the anchor
                then pg_temp.demo_between(
                         c.created_at,
                         least(p.anchor, c.created_at + case when c.payment_method = 'BILLET' then interval '3 days'
                                                             when c.payment_method = 'PIX' then interval '15 minutes'
                                                             when c.payment_method in ('DIRECT_DEBIT', 'BANK_TRANSFER')
                                                             then interval '2 days'
                                                             else interval '3 minutes' end),
                         pg_temp.demo_u(c.key * 2 + c.src, 80, p.salt)) end as approved_at,
           round(c.gross_amount * case c.payment_method when 'CREDIT_CARD' then 0.0699 when 'PAYPAL' then 0.0749
                                                        when 'PIX' then 0.0499 when 'BILLET' then 0.0499
                                                        when 'DEBIT_CARD' then 0.0499 else 0.0599 end
                 + case when c.currency = 'BRL' then 1.00 else 0.30 end, 2) as fees,
           round(c.gross_amount * case c.currency when 'BRL' then 0.02 when 'EUR' then 0.05 else 0.03 end, 2) as taxes
    from combined c cross join demo_params p
), amounted as (
    select a.*,
           case when a.status_drawn <> 'MADE' then a.status_drawn
                when a.approved_at + pg_temp.demo_guarantee(a.payment_method) <= p.anchor
                     and pg_temp.demo_u(a.key * 2 + a.src, 81, p.salt) < 0.9 then 'COMPLETE'
                else 'APPROVED' end as status,
           case when a.affiliate_id is null then 0
                else round((a.gross_amount - a.fees - a.taxes) * a.commission_rate / 100, 2) end as commission
    from approved a cross join demo_params p
), numbered as (
    select am.*, p.sales_base + row_number() over (order by am.producer_id, am.created_at, am.src, am.key) as id
    from amounted am cross join demo_params p
)
select n.id, n.producer_id, 'HP' || lpad(n.id::text, 12, '0'), n.status, n.product_id, n.offer_code, n.buyer_id,
       n.affiliate_id, n.subscription_id, n.payment_method, n.installments, n.device, n.source, n.currency,
       n.gross_amount, n.fees, n.taxes, n.commission, n.gross_amount - n.fees - n.taxes - n.commission,
       n.created_at, n.approved_at
from numbered n
order by n.id;

-- step: lost_sales
-- Recovered: a few made one-off sales were preceded by failed attempts of the same buyer and product, which
-- point at them. Not recovered: prospects (buyers who never buy) abandon checkouts, so no later sale exists.
insert into lost_sales (id, producer_id, reason, product_id, buyer_id, currency, amount, payment_method, source,
                        created_at, recovered_sale_id) overriding system value
with recovered_pairs as (
    select s.producer_id, (s.id - p.sales_base) * 2 as key, s.product_id, s.buyer_id, s.payment_method, s.source,
           s.created_at as last_at, s.id as recovered_sale_id
    from sales s cross join demo_params p
    where s.id > p.sales_base and s.status in ('APPROVED', 'COMPLETE') and s.subscription_id is null
      and pg_temp.demo_u(s.id - p.sales_base, 90, p.salt) < 0.035
), lost_pairs as (
    select pl.producer_id, (pl.sales_before + i) * 2 + 1 as key,
           pl.product_base + x.plain + x.plain / 7 + 1 as product_id,
           pl.buyer_base + pl.n_customers
           + floor(pl.n_prospects * pg_temp.demo_u((pl.sales_before + i) * 2 + 1, 91, p.salt))::integer + 1 as buyer_id,
           null::text as payment_method,
           nullif(pg_temp.demo_pick(p.source, pg_temp.demo_u((pl.sales_before + i) * 2 + 1, 92, p.salt)), '') as source,
           p.anchor - pg_temp.demo_age((pl.sales_before + i) * 2 + 1, 85, p.salt) as last_at,
           null::bigint as recovered_sale_id
    from demo_plan pl
    cross join demo_params p
    cross join lateral generate_series(1, ceil(pl.n_sales * 0.05)::integer) as i
    cross join lateral (
        select floor(pl.n_plain_products * pg_temp.demo_u2((pl.sales_before + i) * 2 + 1, 95, p.salt))::integer as plain
    ) as x
), pairs as (
    select * from recovered_pairs
    union all
    select * from lost_pairs
), attempts as (
    -- attempt n (1 = the last) happens n (recovered) or n - 1 (lost) gaps before last_at
    select pa.*, pa.key * 4 + n as attempt_key,
           pa.last_at - interval '1 second' * (case when pa.recovered_sale_id is null then n - 1 else n end)
                        * floor(600 + 171000 * pg_temp.demo_u(pa.key, 96, p.salt)) as created_at
    from pairs pa
    cross join demo_params p
    cross join lateral generate_series(1, 1 + (pg_temp.demo_u(pa.key, 97, p.salt) < 0.35)::integer
                                          + (pg_temp.demo_u(pa.key, 98, p.salt) < 0.12)::integer) as n
), reasoned as (
    select at.*, pr.currency, pr.price,
           case when pr.currency = 'BRL'
                then pg_temp.demo_pick(p.lost_reason_brl, pg_temp.demo_u(at.attempt_key, 99, p.salt))
                else pg_temp.demo_pick(p.lost_reason_intl, pg_temp.demo_u(at.attempt_key, 99, p.salt)) end as reason
    from attempts at
    cross join demo_params p
    join products pr on pr.id = at.product_id
), numbered as (
    select r.*, p.lost_sales_base + row_number() over (order by r.producer_id, r.created_at, r.attempt_key) as id
    from reasoned r cross join demo_params p
)
select n.id, n.producer_id, n.reason, n.product_id, n.buyer_id, n.currency, n.price,
       case when n.reason in ('CARD_DECLINED', 'INSUFFICIENT_FUNDS', 'FRAUD_SUSPECTED') then 'CREDIT_CARD'
            when n.reason = 'BILLET_EXPIRED' then 'BILLET'
            when n.reason = 'PIX_EXPIRED' then 'PIX'
            when n.reason = 'ABANDONED_CHECKOUT' then null
            when n.payment_method is not null then n.payment_method
            when n.currency = 'BRL' then pg_temp.demo_pick(p.payment_brl, pg_temp.demo_u(n.attempt_key, 89, p.salt))
            else pg_temp.demo_pick(p.payment_intl, pg_temp.demo_u(n.attempt_key, 89, p.salt)) end,
       n.source, n.created_at, n.recovered_sale_id
from numbered n cross join demo_params p
order by n.id;

-- step: refunds
-- Every REFUNDED / PARTIALLY_REFUNDED sale has its approved refund; some made sales have one that is still
-- requested, was denied or was cancelled (the sale stays made).
insert into refunds (id, producer_id, sale_id, amount, currency, reason, status, requested_at, resolved_at,
                     denial_reason) overriding system value
with candidates as (
    select s.id as sale_id, s.producer_id, s.currency, s.gross_amount, s.status as sale_status, s.approved_at,
           s.id - p.sales_base as key
    from sales s cross join demo_params p
    where s.id > p.sales_base and s.approved_at is not null
      and (s.status in ('REFUNDED', 'PARTIALLY_REFUNDED')
           or (s.status in ('APPROVED', 'COMPLETE') and pg_temp.demo_u(s.id - p.sales_base, 100, p.salt) < 0.02))
), requested as materialized (
    select c.*,
           case when c.sale_status in ('REFUNDED', 'PARTIALLY_REFUNDED') then 'ACCEPTED'
                when p.anchor - c.approved_at < interval '30 days'
                then pg_temp.demo_pick(p.refund_open, pg_temp.demo_u(c.key, 101, p.salt))
                else pg_temp.demo_pick(p.refund_closed, pg_temp.demo_u(c.key, 101, p.salt)) end as outcome,
           pg_temp.demo_between(c.approved_at, least(p.anchor, c.approved_at + interval '30 days'),
                                pg_temp.demo_u(c.key, 102, p.salt)) as requested_at
    from candidates c cross join demo_params p
), resolved as (
    select r.*,
           case when r.outcome <> 'REQUESTED'
                then pg_temp.demo_between(r.requested_at, least(p.anchor, r.requested_at + interval '5 days'),
                                          pg_temp.demo_u(r.key, 103, p.salt))
           end as resolved_at
    from requested r cross join demo_params p
), numbered as (
    select r.*, p.refunds_base + row_number() over (order by r.producer_id, r.requested_at, r.sale_id) as id
    from resolved r cross join demo_params p
)
select n.id, n.producer_id, n.sale_id,
       case when n.sale_status = 'PARTIALLY_REFUNDED'
            then least(n.gross_amount - 0.01,
                       greatest(0.01, round(n.gross_amount * (0.2 + 0.6 * pg_temp.demo_u(n.key, 104, p.salt))::numeric, 2)))
            else n.gross_amount end,
       n.currency,
       nullif(pg_temp.demo_pick(p.refund_reason, pg_temp.demo_u(n.key, 105, p.salt)), ''),
       case when n.outcome <> 'ACCEPTED' then n.outcome
            when n.resolved_at > p.anchor - interval '3 days' then 'APPROVED'
            else 'COMPLETED' end,
       n.requested_at, n.resolved_at,
       case when n.outcome = 'DENIED' then pg_temp.demo_pick(p.refund_denial, pg_temp.demo_u(n.key, 106, p.salt)) end
from numbered n cross join demo_params p
order by n.id;

-- step: prepayments
-- The first producer and a third of the others advanced their pending balance in their own currency a few times,
-- 60+ days apart (so no sale is advanced twice): the amount is the net of the made sales still pending then.
-- The latest may still be waiting for approval.
insert into prepayments (id, producer_id, amount, fee, currency, status, idempotency_key, request_hash, created_at)
overriding system value
with slots as (
    select pl.producer_id, pl.currency, pl.o * 8 + j as key,
           p.anchor - interval '1 second' * floor(86400 * (2 + 60 * j + 20 * pg_temp.demo_u(pl.o * 8 + j, 110, p.salt)))
           as created_at,
           case when j = 0 then pg_temp.demo_pick(p.prepayment_status, pg_temp.demo_u(pl.o * 8 + j, 111, p.salt))
                when j >= 2 and pg_temp.demo_u(pl.o * 8 + j, 111, p.salt) < 0.2 then 'REJECTED'
                else 'APPROVED' end as status
    from demo_plan pl
    cross join demo_params p
    cross join lateral generate_series(0, case when pl.o = 1 then 1 else 0 end
                                          + floor(1 + 3 * pg_temp.demo_u(pl.o, 112, p.salt))::integer - 1) as j
    where pl.o = 1 or pg_temp.demo_u(pl.o, 113, p.salt) < 0.35
), amounted as (
    select sl.*,
           (select sum(s.net_amount)
            from sales s cross join demo_params p
            where s.producer_id = sl.producer_id and s.id > p.sales_base and s.currency = sl.currency
              and s.created_at > sl.created_at - interval '34 days' and s.created_at <= sl.created_at
              and s.status in ('APPROVED', 'COMPLETE') and s.approved_at <= sl.created_at
              and s.approved_at + pg_temp.demo_guarantee(s.payment_method) > sl.created_at) as amount
    from slots sl
), numbered as (
    select a.*, p.prepayments_base + row_number() over (order by a.created_at, a.key) as id
    from amounted a cross join demo_params p
    where a.amount > 0
)
select n.id, n.producer_id, n.amount, round(n.amount * 0.025, 2), n.currency, n.status,
       md5(p.salt || ':prepayment:' || n.key)::uuid::text,
       sha256(convert_to('requestPrepayment|' || n.amount || '|' || n.currency, 'UTF8')),
       n.created_at
from numbered n cross join demo_params p
order by n.id;

-- step: ledger
-- Every statement entry but the withdrawals', in a work table: the withdrawals are sized from it.
create temp table demo_ledger on commit drop as
with booked as (
    select s.*, pr.name as product_name, s.approved_at + pg_temp.demo_guarantee(s.payment_method) as released_at
    from sales s
    cross join demo_params p
    join products pr on pr.id = s.product_id
    where s.id > p.sales_base
      and s.status in ('APPROVED', 'COMPLETE', 'REFUNDED', 'PARTIALLY_REFUNDED', 'CHARGEBACK', 'DISPUTE')
), contested as (
    select b.*,
           pg_temp.demo_between(b.approved_at, p.anchor,
                                pg_temp.demo_u(b.id - p.sales_base, 120, p.salt)
                                * case when b.status = 'CHARGEBACK' then 0.6 else 1 end) as blocked_at
    from booked b cross join demo_params p
    where b.status in ('CHARGEBACK', 'DISPUTE')
)
-- a sale: its gross, less fees and taxes, less the affiliate's commission; pending for the guarantee period
select b.producer_id, leg.kind, b.currency, leg.amount, 0::numeric(14, 2) as blocked_amount, leg.description,
       b.id as sale_id, null::bigint as refund_id, null::bigint as withdrawal_id, null::bigint as prepayment_id,
       b.approved_at as occurred_at, b.released_at as available_at, 1 as source_rank, b.id as source_id,
       leg.n as leg
from booked b
left join affiliates af on af.id = b.affiliate_id
cross join lateral (values
    (1, 'SALE', b.gross_amount, 'Sale ' || b.transaction_code || ' - ' || b.product_name),
    (2, 'FEE', -(b.fees + b.taxes), 'Fees and taxes - sale ' || b.transaction_code),
    (3, 'COMMISSION', -b.affiliate_commission,
     'Affiliate commission (' || af.name || ') - sale ' || b.transaction_code)
) as leg (n, kind, amount, description)
where leg.n = 1 or leg.amount <> 0
union all
-- an accepted refund takes back its share of the net; from the pending money if not released yet
select r.producer_id, 'REFUND', r.currency, -round(s.net_amount * r.amount / s.gross_amount, 2), 0,
       case when r.amount < s.gross_amount then 'Partial refund' else 'Refund' end
       || ' of sale ' || s.transaction_code || ' - ' || pr.name,
       s.id, r.id, null, null, r.resolved_at,
       greatest(r.resolved_at, s.approved_at + pg_temp.demo_guarantee(s.payment_method)), 2, r.id, 0
from refunds r
cross join demo_params p
join sales s on s.id = r.sale_id
join products pr on pr.id = s.product_id
where r.id > p.refunds_base and r.status in ('APPROVED', 'COMPLETED')
union all
-- a dispute blocks the net of the sale (out of pending if not released yet)
select c.producer_id, 'BLOCK', c.currency, 0, c.net_amount,
       'Blocked: ' || case when c.status = 'CHARGEBACK' then 'chargeback requested' else 'dispute opened' end
       || ' on sale ' || c.transaction_code,
       c.id, null, null, null, c.blocked_at, greatest(c.blocked_at, c.released_at), 3, c.id, 0
from contested c
union all
-- a chargeback takes the blocked money away
select c.producer_id, 'CHARGEBACK', c.currency, -c.net_amount, -c.net_amount,
       'Chargeback of sale ' || c.transaction_code || ' - ' || c.product_name,
       c.id, null, null, null, x.charged_back_at, greatest(x.charged_back_at, c.released_at), 4, c.id, 0
from contested c
cross join demo_params p
cross join lateral (
    select pg_temp.demo_between(c.blocked_at, p.anchor, pg_temp.demo_u(c.id - p.sales_base, 121, p.salt))
           as charged_back_at
) as x
where c.status = 'CHARGEBACK'
union all
-- an approved prepayment: the advance is available now, less its fee ...
select pp.producer_id, leg.kind, pp.currency, leg.amount, 0, 'Prepayment #' || pp.id || leg.description,
       null, null, null, pp.id, pp.created_at, pp.created_at, 5, pp.id, leg.n
from prepayments pp
cross join demo_params p
cross join lateral (values
    (0, 'PREPAYMENT', pp.amount, ' - pending balance advanced'),
    (1, 'PREPAYMENT_FEE', -pp.fee, ' - fee')
) as leg (n, kind, amount, description)
where pp.id > p.prepayments_base and pp.status = 'APPROVED' and (leg.n = 0 or leg.amount <> 0)
union all
-- ... and each advanced sale's net is taken back when it would have been released
select pp.producer_id, 'PREPAYMENT', pp.currency, -s.net_amount, 0,
       'Prepayment #' || pp.id || ' - sale ' || s.transaction_code || ' advanced',
       s.id, null, null, pp.id, pp.created_at, s.approved_at + pg_temp.demo_guarantee(s.payment_method),
       5, pp.id, s.id + 1
from prepayments pp
cross join demo_params p
join sales s
  on s.producer_id = pp.producer_id and s.id > p.sales_base and s.currency = pp.currency
 and s.created_at > pp.created_at - interval '34 days' and s.created_at <= pp.created_at
 and s.status in ('APPROVED', 'COMPLETE') and s.approved_at <= pp.created_at
 and s.approved_at + pg_temp.demo_guarantee(s.payment_method) > pp.created_at
where pp.id > p.prepayments_base and pp.status = 'APPROVED';
analyze demo_ledger;

-- step: withdrawal_slots
-- When each producer asks for its money (weekly, fortnightly or monthly), and for each such moment the lowest
-- available balance from then on, without withdrawals: a withdrawal never takes more than that, so the
-- available balance is never negative, whatever refunds or disputes come later.
create temp table demo_withdrawal_slots on commit drop as
with pairs as (
    select distinct l.producer_id, l.currency, pl.o
    from demo_ledger l join demo_plan pl on pl.producer_id = l.producer_id
), slots as (
    select pa.producer_id, pa.currency, (pa.o * 4 + case pa.currency when 'BRL' then 0 when 'USD' then 1 else 2 end)
           * 1024 + k as key,
           x.cadence, k
    from pairs pa
    cross join demo_params p
    cross join lateral (
        select pg_temp.demo_pick(p.withdrawal_cadence, pg_temp.demo_u(pa.o, 130, p.salt))::integer as cadence
    ) as x
    cross join lateral generate_series(0, 400 / x.cadence) as k
), timed as (
    select sl.producer_id, sl.currency, sl.key,
           case when sl.k = 0
                then p.anchor - interval '1 second' * floor(172800 * pg_temp.demo_u(sl.key, 131, p.salt))
                else p.anchor - interval '1 second'
                                * floor(86400 * sl.cadence * (sl.k - 0.4 * pg_temp.demo_u(sl.key, 131, p.salt))) end
           as requested_at
    from slots sl cross join demo_params p
), events as (
    select producer_id, currency, available_at as at, sum(amount - blocked_amount) as delta, null::bigint as key
    from demo_ledger
    group by producer_id, currency, available_at
    union all
    select producer_id, currency, requested_at, 0, key
    from timed
), running as (
    select e.*, sum(e.delta) over (partition by e.producer_id, e.currency order by e.at) as available
    from events e
), ahead as (
    select r.*, min(r.available) over (partition by r.producer_id, r.currency order by r.at desc) as lowest_ahead
    from running r
)
select producer_id, currency, key, at as requested_at, lowest_ahead
from ahead
where key is not null;

-- step: withdrawals
-- Each withdrawal brings the producer's total withdrawn up to a fraction of the lowest balance ahead.
insert into withdrawals (id, producer_id, amount, currency, status, idempotency_key, request_hash, requested_at,
                         paid_at, failure_reason) overriding system value
with targets as (
    select w.*,
           max(trunc(w.lowest_ahead * (0.5 + 0.45 * pg_temp.demo_u(w.key, 132, p.salt))::numeric, 2))
               over (partition by w.producer_id, w.currency order by w.requested_at
                     rows between unbounded preceding and current row) as withdrawn
    from demo_withdrawal_slots w cross join demo_params p
), amounted as (
    select t.*,
           t.withdrawn - coalesce(lag(t.withdrawn) over (partition by t.producer_id, t.currency
                                                           order by t.requested_at), 0) as amount
    from targets t
), numbered as (
    select a.*, p.withdrawals_base + row_number() over (order by a.requested_at, a.key) as id,
           case when a.requested_at > p.anchor - interval '2 days'
                then pg_temp.demo_pick(p.withdrawal_open, pg_temp.demo_u(a.key, 133, p.salt))
                else pg_temp.demo_pick(p.withdrawal_closed, pg_temp.demo_u(a.key, 133, p.salt)) end as status
    from amounted a cross join demo_params p
    where a.amount >= 1
)
select n.id, n.producer_id, n.amount, n.currency, n.status,
       md5(p.salt || ':withdrawal:' || n.key)::uuid::text,
       sha256(convert_to('requestWithdrawal|' || n.amount || '|' || n.currency, 'UTF8')),
       n.requested_at,
       case when n.status = 'PAID'
            then n.requested_at + interval '1 second' * floor(7200 + 136800 * pg_temp.demo_u(n.key, 134, p.salt)) end,
       case when n.status = 'FAILED' then pg_temp.demo_pick(p.withdrawal_failure, pg_temp.demo_u(n.key, 135, p.salt)) end
from numbered n cross join demo_params p
order by n.id;

-- step: withdrawal_entries
-- A withdrawal takes its amount at once; a failed or cancelled one gives it back.
insert into demo_ledger
select w.producer_id, 'WITHDRAWAL', w.currency, -w.amount, 0, 'Withdrawal #' || w.id, null::bigint,
       null::bigint, w.id, null::bigint, w.requested_at, w.requested_at, 6, w.id, 0
from withdrawals w cross join demo_params p
where w.id > p.withdrawals_base
union all
select w.producer_id, 'ADJUSTMENT', w.currency, w.amount, 0,
       'Withdrawal #' || w.id || case w.status when 'FAILED' then ' failed' else ' cancelled' end
       || ' - amount returned',
       null::bigint, null::bigint, w.id, null::bigint, x.returned_at, x.returned_at, 7, w.id, 0
from withdrawals w
cross join demo_params p
cross join lateral (
    select w.requested_at
           + interval '1 second' * floor(3600 + 169200 * pg_temp.demo_u(w.id - p.withdrawals_base, 136, p.salt))
           as returned_at
) as x
where w.id > p.withdrawals_base and w.status in ('FAILED', 'CANCELLED');

-- step: statement_entries
insert into statement_entries (id, producer_id, kind, currency, amount, blocked_amount, description, sale_id,
                               refund_id, withdrawal_id, prepayment_id, occurred_at, available_at)
overriding system value
select p.statement_entries_base
       + row_number() over (order by l.producer_id, l.occurred_at, l.source_rank, l.source_id, l.leg),
       l.producer_id, l.kind, l.currency, l.amount, l.blocked_amount, l.description, l.sale_id, l.refund_id,
       l.withdrawal_id, l.prepayment_id, l.occurred_at, l.available_at
from demo_ledger l cross join demo_params p
order by 1;

-- step: receipts
-- Monthly commission receipts between a producer and its affiliates, for the months that are over.
insert into receipts (id, producer_id, number, direction, affiliate_id, amount, currency, status, period_from,
                      period_to, issued_at, decided_at, rejection_reason) overriding system value
with months as (
    select s.producer_id, s.affiliate_id, s.currency, pd.time_zone,
           date_trunc('month', s.created_at at time zone pd.time_zone)::date as period_from,
           sum(s.affiliate_commission) as amount
    from sales s
    cross join demo_params p
    join producers pd on pd.id = s.producer_id
    where s.id > p.sales_base and s.affiliate_id is not null and s.status in ('APPROVED', 'COMPLETE')
    group by 1, 2, 3, 4, 5
), drawn as (
    select m.*, x.period_to, ((x.period_to + 1) + time '09:00') at time zone m.time_zone as due_at,
           ((m.affiliate_id - p.affiliates_base) * 100000
            + extract(year from m.period_from)::bigint * 12 + extract(month from m.period_from)::bigint) * 4
           + case m.currency when 'BRL' then 0 when 'USD' then 1 else 2 end as key
    from months m
    cross join demo_params p
    cross join lateral (select (m.period_from + interval '1 month - 1 day')::date as period_to) as x
), issued as materialized (
    select d.*,
           pg_temp.demo_pick(p.receipt_direction, pg_temp.demo_u(d.key, 141, p.salt)) as direction,
           pg_temp.demo_between(d.due_at, least(p.anchor, d.due_at + interval '5 days'),
                                pg_temp.demo_u(d.key, 142, p.salt)) as issued_at,
           case when d.period_to >= (p.anchor at time zone d.time_zone)::date - 40
                then pg_temp.demo_pick(p.receipt_recent, pg_temp.demo_u(d.key, 143, p.salt))
                else pg_temp.demo_pick(p.receipt_old, pg_temp.demo_u(d.key, 143, p.salt)) end as status
    from drawn d cross join demo_params p
    where d.due_at <= p.anchor and pg_temp.demo_u(d.key, 144, p.salt) < 0.6
), numbered as (
    select i.*,
           p.receipts_base
           + row_number() over (order by i.issued_at, i.producer_id, i.affiliate_id, i.currency, i.period_from) as id
    from issued i cross join demo_params p
)
select n.id, n.producer_id,
       case n.direction when 'SENT' then 'RPA-' else 'NFS-' end || to_char(n.period_from, 'YYYYMM') || '-'
       || lpad(n.id::text, 8, '0'),
       n.direction, n.affiliate_id, n.amount, n.currency, n.status, n.period_from, n.period_to, n.issued_at,
       case when n.status <> 'PENDING'
            then pg_temp.demo_between(n.issued_at, least(p.anchor, n.issued_at + interval '10 days'),
                                      pg_temp.demo_u(n.key, 145, p.salt)) end,
       case when n.status = 'REJECTED'
            then pg_temp.demo_pick(p.receipt_rejection, pg_temp.demo_u(n.key, 146, p.salt)) end
from numbered n cross join demo_params p
order by n.id;
