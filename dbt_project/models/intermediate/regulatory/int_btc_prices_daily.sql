-- The bitcoin price each day of the warehouse stands at: the last price published on or before
-- the end of the day (cents per bitcoin), and when it was published. Days before the first
-- price have none.
with last_of_day as (
    select
        cast(published_at as date) as published_date,
        published_at,
        price_cents_per_btc,
        row_number() over (partition by cast(published_at as date) order by published_at desc, price_id desc) as newest_first
    from {{ ref('stg_price__prices') }}
),

days as (
    select dates.date_day, prices.published_at, prices.price_cents_per_btc
    from {{ ref('int_ledger_dates') }} as dates
    left join last_of_day as prices on prices.published_date = dates.date_day and prices.newest_first = 1
),

carried as (
    select
        date_day,
        last_value(published_at ignore nulls) over running as published_at,
        last_value(price_cents_per_btc ignore nulls) over running as price_cents_per_btc
    from days
    window running as (order by date_day rows between unbounded preceding and current row)
)

select date_day as as_of_date, price_cents_per_btc, published_at
from carried
where price_cents_per_btc is not null
