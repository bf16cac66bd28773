-- NRP-92 (SSF central de riesgos) 03 referencia_garantia: which guarantee backs each credit
-- reference owing on the as-of date, for every day of the warehouse: the facility's bitcoin
-- pledge (tipo_garantia PC, identified by the facility), with the reference's proportional part
-- of its value at the day's price. References whose facility holds no collateral that day have
-- no row. Columns: the elements of ssf_ctri_referencia_garantia.xsd, in its order.
select
    risk.as_of_date,
    {{ short_reference('risk.disbursal_id', 20) }} as num_referencia,
    '01' as cod_cartera,
    '01' as cod_activo,
    {{ short_reference('risk.credit_facility_id', 20) }} as identificacion_garantia,
    'PC' as tipo_garantia,
    {{ minor_units_text('risk.collateral_value') }} as valor_garantia_proporcional
from {{ ref('int_credit_reference_risk_daily') }} as risk
where risk.collateral_sats > 0
