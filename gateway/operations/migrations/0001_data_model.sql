-- The whole data model of the sales gateway.
--
-- Every table but `producers` carries `producer_id`, and every reference between tenant tables is a
-- composite foreign key (producer_id, id): a row can only point at a row of the same producer.
-- Money is numeric(14,2) beside a char(3) currency; times are timestamptz; enums are text with CHECKs.

create table producers (
    id               bigint generated always as identity primary key,
    name             text        not null check (length(name) between 1 and 200),
    email            text        not null check (length(email) between 3 and 320),
    time_zone        text        not null default 'UTC',
    default_currency char(3)     not null default 'BRL' check (default_currency ~ '^[A-Z]{3}$'),
    created_at       timestamptz not null default now()
);

create table api_keys (
    id           bigint generated always as identity primary key,
    producer_id  bigint      not null references producers (id) on delete cascade,
    name         text        not null default 'default' check (length(name) between 1 and 100),
    key_prefix   text        not null,                       -- shown to people to tell keys apart
    secret_hash  bytea       not null unique,                -- sha256 of the whole key
    scopes       text[]      not null,
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz
);
create index api_keys_producer on api_keys (producer_id, id);

create table products (
    id          bigint generated always as identity primary key,
    producer_id bigint        not null references producers (id) on delete cascade,
    name        text          not null check (length(name) between 1 and 200),
    kind        text          not null check (kind in ('ONLINE_COURSE', 'EBOOK', 'COMMUNITY', 'EVENT',
                                                       'SOFTWARE', 'SUBSCRIPTION')),
    price       numeric(14,2) not null check (price >= 0),
    currency    char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    created_at  timestamptz   not null default now(),
    unique (producer_id, id)
);
create index products_page on products (producer_id, created_at, id);

create table buyers (
    id          bigint generated always as identity primary key,
    producer_id bigint      not null references producers (id) on delete cascade,
    name        text        not null,
    email       text        not null,
    phone       text,
    country     char(2),
    created_at  timestamptz not null default now(),
    unique (producer_id, id)
);
create index buyers_email on buyers (producer_id, lower(email));

create table affiliates (
    id          bigint generated always as identity primary key,
    producer_id bigint      not null references producers (id) on delete cascade,
    name        text        not null,
    email       text        not null,
    created_at  timestamptz not null default now(),
    unique (producer_id, id)
);

create table affiliations (
    id              bigint generated always as identity primary key,
    producer_id     bigint       not null references producers (id) on delete cascade,
    affiliate_id    bigint       not null,
    product_id      bigint       not null,
    status          text         not null check (status in ('PENDING', 'ACTIVE', 'REJECTED', 'BLOCKED', 'CANCELLED')),
    commission_rate numeric(5,2) not null check (commission_rate >= 0 and commission_rate <= 100),  -- percent
    applied_at      timestamptz  not null,
    decided_at      timestamptz,
    decision_reason text,
    unique (producer_id, id),
    unique (producer_id, affiliate_id, product_id),
    foreign key (producer_id, affiliate_id) references affiliates (producer_id, id),
    foreign key (producer_id, product_id) references products (producer_id, id),
    check ((status = 'PENDING') = (decided_at is null))
);
create index affiliations_page on affiliations (producer_id, applied_at, id);
create index affiliations_product on affiliations (producer_id, product_id);

create table subscriptions (
    id             bigint generated always as identity primary key,
    producer_id    bigint        not null references producers (id) on delete cascade,
    buyer_id       bigint        not null,
    product_id     bigint        not null,
    plan_name      text          not null,
    price          numeric(14,2) not null check (price >= 0),
    currency       char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    status         text          not null check (status in ('STARTED', 'ACTIVE', 'DELAYED', 'OVERDUE', 'INACTIVE',
                                                            'CANCELLED_BY_CUSTOMER', 'CANCELLED_BY_SELLER',
                                                            'CANCELLED_BY_ADMIN')),
    started_at     timestamptz   not null,
    cancelled_at   timestamptz,
    next_charge_at timestamptz,
    recurrence     integer       not null default 0 check (recurrence >= 0),
    unique (producer_id, id),
    foreign key (producer_id, buyer_id) references buyers (producer_id, id),
    foreign key (producer_id, product_id) references products (producer_id, id),
    check ((status like 'CANCELLED%') = (cancelled_at is not null))
);
create index subscriptions_page on subscriptions (producer_id, started_at, id);
create index subscriptions_cancelled on subscriptions (producer_id, cancelled_at) where cancelled_at is not null;

create table sales (
    id                   bigint generated always as identity primary key,
    producer_id          bigint        not null references producers (id) on delete cascade,
    transaction_code     text          not null check (length(transaction_code) between 1 and 64),
    status               text          not null check (status in (
                             'STARTED', 'WAITING_PAYMENT', 'PRINTED_BILLET', 'PROCESSING_TRANSACTION',
                             'UNDER_ANALYSIS', 'APPROVED', 'COMPLETE', 'CANCELLED', 'EXPIRED', 'NO_FUNDS',
                             'BLOCKED', 'OVERDUE', 'PRE_ORDER', 'PROTESTED', 'DISPUTE', 'CHARGEBACK',
                             'REFUNDED', 'PARTIALLY_REFUNDED')),
    product_id           bigint        not null,
    offer_code           text,
    buyer_id             bigint        not null,
    affiliate_id         bigint,
    subscription_id      bigint,
    payment_method       text          not null check (payment_method in (
                             'CREDIT_CARD', 'DEBIT_CARD', 'BILLET', 'PIX', 'PAYPAL', 'GOOGLE_PAY', 'APPLE_PAY',
                             'WALLET', 'DIRECT_DEBIT', 'BANK_TRANSFER')),
    installments         smallint      not null default 1 check (installments between 1 and 24),
    device               text          not null default 'UNKNOWN' check (device in ('DESKTOP', 'MOBILE', 'TABLET', 'UNKNOWN')),
    source               text,
    currency             char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    gross_amount         numeric(14,2) not null check (gross_amount >= 0),
    fees                 numeric(14,2) not null check (fees >= 0),
    taxes                numeric(14,2) not null check (taxes >= 0),
    affiliate_commission numeric(14,2) not null check (affiliate_commission >= 0),
    net_amount           numeric(14,2) not null check (net_amount >= 0),
    created_at           timestamptz   not null,
    approved_at          timestamptz,
    unique (producer_id, id),
    unique (producer_id, transaction_code),
    foreign key (producer_id, product_id) references products (producer_id, id),
    foreign key (producer_id, buyer_id) references buyers (producer_id, id),
    foreign key (producer_id, affiliate_id) references affiliates (producer_id, id),
    foreign key (producer_id, subscription_id) references subscriptions (producer_id, id),
    check (net_amount = gross_amount - fees - taxes - affiliate_commission),
    check (affiliate_id is not null or affiliate_commission = 0)
);
-- newest-first pages, and the per-period aggregates (index-only over the included columns)
create index sales_by_created on sales (producer_id, created_at, id)
    include (status, currency, gross_amount, net_amount);
create index sales_by_gross on sales (producer_id, gross_amount, id);
create index sales_by_product on sales (producer_id, product_id, created_at);
create index sales_by_buyer on sales (producer_id, buyer_id, product_id, created_at);
create index sales_by_affiliate on sales (producer_id, affiliate_id, created_at) where affiliate_id is not null;
create index sales_by_subscription on sales (producer_id, subscription_id, created_at, id)
    where subscription_id is not null;

create table lost_sales (
    id                bigint generated always as identity primary key,
    producer_id       bigint        not null references producers (id) on delete cascade,
    reason            text          not null check (reason in ('ABANDONED_CHECKOUT', 'CARD_DECLINED',
                          'INSUFFICIENT_FUNDS', 'BILLET_EXPIRED', 'PIX_EXPIRED', 'CANCELLED_BY_BUYER',
                          'FRAUD_SUSPECTED')),
    product_id        bigint        not null,
    buyer_id          bigint        not null,
    currency          char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    amount            numeric(14,2) not null check (amount >= 0),
    payment_method    text          check (payment_method in (
                          'CREDIT_CARD', 'DEBIT_CARD', 'BILLET', 'PIX', 'PAYPAL', 'GOOGLE_PAY', 'APPLE_PAY',
                          'WALLET', 'DIRECT_DEBIT', 'BANK_TRANSFER')),
    source            text,
    created_at        timestamptz   not null,
    recovered_sale_id bigint,       -- the later sale (same buyer and product) that recovered this attempt
    unique (producer_id, id),
    foreign key (producer_id, product_id) references products (producer_id, id),
    foreign key (producer_id, buyer_id) references buyers (producer_id, id),
    foreign key (producer_id, recovered_sale_id) references sales (producer_id, id)
);
create index lost_sales_by_created on lost_sales (producer_id, created_at, id);
-- "the last failed attempt per buyer and product"
create index lost_sales_by_buyer_product on lost_sales (producer_id, buyer_id, product_id, created_at, id);
create index lost_sales_by_recovered_sale on lost_sales (producer_id, recovered_sale_id)
    where recovered_sale_id is not null;

create table refunds (
    id            bigint generated always as identity primary key,
    producer_id   bigint        not null references producers (id) on delete cascade,
    sale_id       bigint        not null,
    amount        numeric(14,2) not null check (amount > 0),
    currency      char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    reason        text,
    status        text          not null check (status in ('REQUESTED', 'APPROVED', 'DENIED', 'COMPLETED', 'CANCELLED')),
    requested_at  timestamptz   not null,
    resolved_at   timestamptz,
    denial_reason text,
    unique (producer_id, id),
    foreign key (producer_id, sale_id) references sales (producer_id, id),
    check ((status = 'REQUESTED') = (resolved_at is null))
);
create index refunds_page on refunds (producer_id, requested_at, id);
create index refunds_by_sale on refunds (producer_id, sale_id);

create table withdrawals (
    id              bigint generated always as identity primary key,
    producer_id     bigint        not null references producers (id) on delete cascade,
    amount          numeric(14,2) not null check (amount > 0),
    currency        char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    status          text          not null check (status in ('REQUESTED', 'PROCESSING', 'PAID', 'FAILED', 'CANCELLED')),
    idempotency_key text          not null check (length(idempotency_key) between 1 and 255),
    request_hash    bytea         not null,
    requested_at    timestamptz   not null default now(),
    paid_at         timestamptz,
    failure_reason  text,
    unique (producer_id, id),
    unique (producer_id, idempotency_key),
    check ((status = 'PAID') = (paid_at is not null))
);
create index withdrawals_page on withdrawals (producer_id, requested_at, id);

create table prepayments (
    id              bigint generated always as identity primary key,
    producer_id     bigint        not null references producers (id) on delete cascade,
    amount          numeric(14,2) not null check (amount > 0),
    fee             numeric(14,2) not null check (fee >= 0),
    currency        char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    status          text          not null check (status in ('REQUESTED', 'APPROVED', 'REJECTED')),
    idempotency_key text          not null check (length(idempotency_key) between 1 and 255),
    request_hash    bytea         not null,
    created_at      timestamptz   not null default now(),
    unique (producer_id, id),
    unique (producer_id, idempotency_key)
);
create index prepayments_page on prepayments (producer_id, created_at, id);

create table receipts (
    id               bigint generated always as identity primary key,
    producer_id      bigint        not null references producers (id) on delete cascade,
    number           text          not null,
    direction        text          not null check (direction in ('SENT', 'RECEIVED')),
    affiliate_id     bigint        not null,
    amount           numeric(14,2) not null check (amount >= 0),
    currency         char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    status           text          not null check (status in ('PENDING', 'ACCEPTED', 'REJECTED')),
    period_from      date          not null,
    period_to        date          not null,
    issued_at        timestamptz   not null,
    decided_at       timestamptz,
    rejection_reason text,
    unique (producer_id, id),
    unique (producer_id, number),
    foreign key (producer_id, affiliate_id) references affiliates (producer_id, id),
    check (period_from <= period_to)
);
create index receipts_page on receipts (producer_id, issued_at, id);

-- The ledger. `amount` is the signed effect on the producer's total balance; `blocked_amount` is the
-- signed effect on the blocked part of it (a BLOCK moves money into it without changing the total).
-- Balances are sums over this table:
--   blocked   = sum(blocked_amount)
--   available = sum(amount - blocked_amount) where available_at <= now
--   pending   = sum(amount - blocked_amount) where available_at >  now
--   total     = sum(amount) = available + pending + blocked
create table statement_entries (
    id             bigint generated always as identity primary key,
    producer_id    bigint        not null references producers (id) on delete cascade,
    kind           text          not null check (kind in ('SALE', 'FEE', 'COMMISSION', 'REFUND', 'CHARGEBACK',
                                                          'WITHDRAWAL', 'PREPAYMENT', 'PREPAYMENT_FEE', 'BLOCK',
                                                          'UNBLOCK', 'ADJUSTMENT')),
    currency       char(3)       not null check (currency ~ '^[A-Z]{3}$'),
    amount         numeric(14,2) not null,
    blocked_amount numeric(14,2) not null default 0,
    description    text          not null,
    sale_id        bigint,
    refund_id      bigint,
    withdrawal_id  bigint,
    prepayment_id  bigint,
    occurred_at    timestamptz   not null,
    available_at   timestamptz   not null,
    unique (producer_id, id),
    foreign key (producer_id, sale_id) references sales (producer_id, id),
    foreign key (producer_id, refund_id) references refunds (producer_id, id),
    foreign key (producer_id, withdrawal_id) references withdrawals (producer_id, id),
    foreign key (producer_id, prepayment_id) references prepayments (producer_id, id)
);
create index statement_page on statement_entries (producer_id, occurred_at, id);
create index statement_balance on statement_entries (producer_id, currency)
    include (amount, blocked_amount, available_at);
create index statement_by_sale on statement_entries (producer_id, sale_id) where sale_id is not null;
