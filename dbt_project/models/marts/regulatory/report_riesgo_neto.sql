-- Cálculo de riesgo neto (risk, not a regulator's file): per credit reference owing on the
-- as-of date, for every day of the warehouse: what is owed (principal, interest, total), the
-- collateral's value at the day's price, the NCB-022 category and reserve percent of its days
-- past due, the net risk (total owed - collateral value) and the reserve (percent x the net risk
-- when positive, to the nearest cent). Amounts in dollars, two decimals.
select
    risk.as_of_date,
    risk.credit_facility_id,
    risk.disbursal_id,
    {{ minor_units_text('references_owing.principal_outstanding') }} as principal,
    {{ minor_units_text('references_owing.interest_outstanding') }} as interest,
    {{ minor_units_text('risk.total_outstanding') }} as total_debt,
    {{ minor_units_text('risk.collateral_value') }} as collateral_value_usd,
    risk.days_past_due,
    risk.risk_category,
    risk.reserve_percent,
    {{ minor_units_text('risk.net_risk') }} as net_risk,
    {{ minor_units_text('risk.reserve') }} as reserve
from {{ ref('int_credit_reference_risk_daily') }} as risk
join {{ ref('int_credit_references_daily') }} as references_owing
    on references_owing.disbursal_id = risk.disbursal_id and references_owing.as_of_date = risk.as_of_date
