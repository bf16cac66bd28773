-- NRP-92 (SSF central de riesgos) 16 garantia_criptomonedas: the bitcoin pledged for each credit
-- reference owing on the as-of date, for every day of the warehouse. A facility's collateral is
-- shared by its references in proportion to what each owes (whole sats, see
-- int_credit_reference_risk_daily). num_criptomonedas: bitcoin, 8 decimals; valor_contractual:
-- the collateral the contract asks for the amount granted (initial CVL, to the hundredth of a
-- percent, x amount, rounded up to the cent, as the core scales amounts); valor_mercado: the reference's bitcoin at the day's
-- price, rounded down; fecha/hora_valuacion_mercado: when that price was published (UTC);
-- tasas_conversion: that price, dollars per bitcoin; monto_garantizado: the part of the debt the
-- collateral covers (the smaller of what is owed and the market value). Columns: the elements
-- of ssf_ctri_garantia_criptomonedas.xsd, in its order.
select
    risk.as_of_date,
    {{ short_reference('risk.disbursal_id', 20) }} as num_referencia,
    '01' as cod_cartera,
    '01' as cod_activo,
    {{ short_reference('risk.credit_facility_id', 20) }} as identificacion_garantia,
    {{ minor_units_text('risk.collateral_sats', 8) }} as num_criptomonedas,
    {{ minor_units_text(int_div(
        'references_owing.disbursed_amount * ' ~ percent_hundredths('facilities.initial_cvl') ~ ' + 9999', 10000)) }} as valor_contractual,
    {{ minor_units_text('risk.collateral_value') }} as valor_mercado,
    {{ date_text('cast(risk.price_published_at as date)') }} as fecha_valuacion_mercado,
    substr(cast(risk.price_published_at as {{ dbt.type_string() }}), 12, 8) as hora_valuacion_mercado,
    {{ minor_units_text('risk.price_cents_per_btc') }} as tasas_conversion,
    {{ minor_units_text('least(risk.total_outstanding, risk.collateral_value)') }} as monto_garantizado,
    {{ date_text('references_owing.disbursal_date') }} as fecha_otorgamiento
from {{ ref('int_credit_reference_risk_daily') }} as risk
join {{ ref('int_credit_references_daily') }} as references_owing
    on references_owing.disbursal_id = risk.disbursal_id and references_owing.as_of_date = risk.as_of_date
join {{ ref('int_credit_facilities') }} as facilities on facilities.credit_facility_id = risk.credit_facility_id
where risk.collateral_sats > 0
