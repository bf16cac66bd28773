-- Every credit reference's risk on every day something is owed on it (NCB-022), in cents:
--   collateral: the facility's bitcoin (sats, from the ledger) split over its references in
--     proportion to what each owes (whole sats; the rounding to the largest debtor), valued at
--     the day's price rounded down to the cent, as the core values collateral;
--   days past due: the larger of the principal's and the interest's;
--   risk category and reserve percent: the NCB-022 bucket of those days (seed);
--   net risk = total owed - collateral value (negative when over-collateralized);
--   reserve = reserve percent x max(0, net risk), to the nearest cent (half up).
with references_owing as (
    select * from {{ ref('int_credit_references_daily') }}
),

with_collateral as (
    select
        references_owing.*,
        coalesce(collateral.collateral_sats, 0) as facility_collateral_sats,
        prices.price_cents_per_btc,
        prices.published_at as price_published_at,
        sum(references_owing.total_outstanding) over facility_day as facility_outstanding,
        row_number() over (partition by references_owing.credit_facility_id, references_owing.as_of_date
                           order by references_owing.total_outstanding desc, references_owing.disbursal_id) as debt_rank
    from references_owing
    left join {{ ref('int_credit_facility_collateral_daily') }} as collateral
        on collateral.credit_facility_id = references_owing.credit_facility_id
        and collateral.as_of_date = references_owing.as_of_date
    left join {{ ref('int_btc_prices_daily') }} as prices on prices.as_of_date = references_owing.as_of_date
    window facility_day as (partition by references_owing.credit_facility_id, references_owing.as_of_date)
),

floors as (
    select
        with_collateral.*,
        {{ mul_div('facility_collateral_sats', 'total_outstanding', 'facility_outstanding') }} as collateral_sats_floor
    from with_collateral
),

allocated as (
    select
        floors.*,
        cast(collateral_sats_floor + case when debt_rank = 1
            then facility_collateral_sats - sum(collateral_sats_floor) over (partition by credit_facility_id, as_of_date)
            else 0 end as {{ dbt.type_bigint() }}) as collateral_sats
    from floors
),

valued as (
    select
        allocated.*,
        coalesce({{ mul_div('collateral_sats', 'price_cents_per_btc', var('sats_per_bitcoin')) }}, 0) as collateral_value,
        greatest(principal_days_past_due, interest_days_past_due) as days_past_due
    from allocated
),

categorized as (
    select
        valued.*,
        categories.risk_category,
        categories.category_rank,
        categories.reserve_percent,
        total_outstanding - collateral_value as net_risk
    from valued
    join {{ ref('ncb_022_risk_categories') }} as categories
        on valued.days_past_due >= categories.min_days_past_due
        and (categories.max_days_past_due is null or valued.days_past_due <= categories.max_days_past_due)
)

select
    disbursal_id,
    credit_facility_id,
    customer_id,
    as_of_date,
    total_outstanding,
    facility_collateral_sats,
    collateral_sats,
    price_cents_per_btc,
    price_published_at,
    collateral_value,
    days_past_due,
    risk_category,
    category_rank,
    reserve_percent,
    net_risk,
    {{ int_div('greatest(net_risk, 0) * reserve_percent * 2 + 100', 200) }} as reserve,
    'USD' as currency
from categorized
