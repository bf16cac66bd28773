-- Facilities with something outstanding, by band of CVL at the last price: how many, what they
-- owe (cents), the collateral (sats) and its value (cents), and how many sit under their own
-- margin-call and liquidation thresholds.
with banded as (
    select
        *,
        case when cvl_percent < 105 then '1 below 105 %'
             when cvl_percent < 125 then '2 105-125 %'
             when cvl_percent < 140 then '3 125-140 %'
             when cvl_percent < 175 then '4 140-175 %'
             when cvl_percent < 250 then '5 175-250 %'
             else '6 250 % and above' end as band
    from {{ ref('loan_portfolio') }}
    where total_outstanding > 0
)

select
    max(as_of_date) as as_of_date,
    {{ dbt.split_part('band', "' '", 1) }} as band_order,
    substr(band, 3) as cvl_band,
    count(*) as facilities,
    sum(total_outstanding) as total_outstanding,
    sum(collateral_sats) as collateral_sats,
    sum(collateral_value_cents) as collateral_value_cents,
    sum(case when cvl_percent < margin_call_cvl then 1 else 0 end) as under_margin_call,
    sum(case when cvl_percent < liquidation_cvl then 1 else 0 end) as under_liquidation_threshold
from banded
group by band
