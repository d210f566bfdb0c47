-- How many months one charge of a subscription covers: 1 (monthly), 3 (quarterly), 6 (semiannual), 12 (annual).
-- Monthly recurring revenue counts each active subscription at its monthly equivalent (price / billing_months),
-- and a reactivated subscription charges again on its original schedule, every billing_months from started_at.

alter table subscriptions
    add column billing_months integer not null default 1 check (billing_months in (1, 3, 6, 12));

-- rows written before the column: the demo data names its plans by their interval
update subscriptions
set billing_months = case plan_name when 'Plano Trimestral' then 3 when 'Plano Semestral' then 6
                                    when 'Plano Anual' then 12 end
where plan_name in ('Plano Trimestral', 'Plano Semestral', 'Plano Anual');
