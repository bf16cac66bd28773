-- NRP-92 (SSF central de riesgos) 02 referencia: one row per credit reference (a disbursal paid
-- out) with something owed on the as-of date, for every day of the warehouse. The columns are
-- the elements of ssf_ctri_referencia.xsd, in its order, as the text the schema takes (amounts
-- in dollars with two decimals, dates YYYY-MM-DD); NULL where the core has no such fact (the
-- element is nillable). See _regulatory.yml for where each value comes from.
with refs as (
    select
        references_owing.*,
        risk.collateral_value,
        risk.net_risk,
        risk.reserve,
        risk.risk_category
    from {{ ref('int_credit_references_daily') }} as references_owing
    join {{ ref('int_credit_reference_risk_daily') }} as risk
        on risk.disbursal_id = references_owing.disbursal_id and risk.as_of_date = references_owing.as_of_date
),

facilities as (
    select
        facilities.credit_facility_id,
        facilities.annual_rate,
        facilities.one_time_fee_rate,
        facilities.duration_months,
        facilities.maturity_date,
        {{ json_text('entities.state', '$.terms.accrual_cycle_interval') }} as accrual_cycle_interval,
        -- rate + one-time fee x 12 / months, in hundredths of a percent, half up (in integers:
        -- the percentages in millionths)
        {{ int_div(
            '2 * (cast(round(facilities.annual_rate * 1000000, 0) as ' ~ dbt.type_bigint() ~ ') * facilities.duration_months'
            ~ ' + cast(round(facilities.one_time_fee_rate * 1000000, 0) as ' ~ dbt.type_bigint() ~ ') * 12)'
            ~ ' + facilities.duration_months * 10000',
            'facilities.duration_months * 20000') }} as effective_rate_hundredths
    from {{ ref('int_credit_facilities') }} as facilities
    join {{ ref('stg_core__entities') }} as entities on entities.entity_id = facilities.credit_facility_id
),

-- The chart node (leaf) of the account each part sits in, by its status.
account_nodes as (
    select account_code, node_code_undotted
    from (
        select
            accounts.account_code,
            replace(nodes.node_code, '.', '') as node_code_undotted,
            row_number() over (partition by accounts.account_id order by nodes.depth desc, nodes.node_code) as deepest_first
        from {{ ref('stg_ledger__accounts') }} as accounts
        join {{ ref('int_chart_node_accounts') }} as node_accounts on node_accounts.account_id = accounts.account_id
        join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = node_accounts.node_code
        where accounts.account_code like 'CREDIT.%'
    ) as nodes_of_accounts
    where deepest_first = 1
),

roles as (
    select
        refs.*,
        'CREDIT.' || refs.credit_facility_id || '.DISBURSED_' || case refs.principal_status
            when 'defaulted' then 'DEFAULTED' when 'overdue' then 'OVERDUE' when 'liquidation' then 'OVERDUE'
            else 'NOT_YET_DUE' end as principal_account_code,
        'CREDIT.' || refs.credit_facility_id || '.INTEREST_' || case
            when refs.interest_defaulted > 0 then 'DEFAULTED' when refs.interest_overdue > 0 then 'OVERDUE'
            else 'NOT_YET_DUE' end as interest_account_code
    from refs
)

select
    roles.as_of_date,
    {{ debtor_document('roles.customer_id') }} as documento_deudor,
    '01' as cod_cartera,
    '01' as cod_activo,
    {{ short_reference('roles.disbursal_id', 20) }} as num_referencia,
    {{ minor_units_text('roles.disbursed_amount') }} as monto_referencia,
    {{ minor_units_text('roles.total_outstanding') }} as saldo_referencia,
    {{ minor_units_text('roles.principal_current') }} as saldo_vigente_k,
    {{ minor_units_text('roles.principal_overdue + roles.principal_defaulted') }} as saldo_vencido_k,
    {{ minor_units_text('roles.interest_current') }} as saldo_vigente_i,
    {{ minor_units_text('roles.interest_overdue + roles.interest_defaulted') }} as saldo_vencido_i,
    {{ minor_units_text('roles.principal_repaid') }} as abono_deposito,
    {{ date_text('roles.disbursal_date') }} as fecha_otorgamiento,
    {{ date_text('roles.principal_due_date') }} as fecha_vencimiento,
    cast(null as {{ dbt.type_string() }}) as fecha_castigo,
    states.estado_credito,
    {{ minor_units_text('roles.principal_in_arrears') }} as saldo_mora_k,
    {{ minor_units_text('roles.interest_in_arrears') }} as saldo_mora_i,
    roles.principal_days_past_due as dias_mora_k,
    roles.interest_days_past_due as dias_mora_i,
    case when roles.principal_days_past_due > 0
         then {{ date_text('cast(' ~ dbt.dateadd('day', 1, 'roles.principal_due_date') ~ ' as date)') }} end as fecha_inicio_mora_k,
    case when roles.interest_days_past_due > 0
         then {{ date_text('cast(' ~ dbt.dateadd('day', 1, 'roles.interest_first_unpaid_due_date') ~ ' as date)') }} end as fecha_inicio_mora_i,
    'V' as pago_capital,
    case facilities.accrual_cycle_interval when 'end_of_day' then 'D' else 'M' end as pago_interes,
    cast(null as {{ dbt.type_int() }}) as periodo_gracia_k,
    cast(null as {{ dbt.type_int() }}) as periodo_gracia_i,
    cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('emisión') }},
    cast(null as {{ dbt.type_int() }}) as pais_destino_credito,
    cast(null as {{ dbt.type_string() }}) as destino,
    '1' as codigo_moneda,
    {{ minor_units_text(percent_hundredths('facilities.annual_rate')) }} as tasa_interes,
    {{ minor_units_text(percent_hundredths('facilities.annual_rate')) }} as tasa_contractual,
    cast(null as {{ dbt.type_string() }}) as tasa_referencia,
    {{ minor_units_text('facilities.effective_rate_hundredths') }} as tasa_efectiva,
    'F' as tipo_tasa_interes,
    cast(null as {{ dbt.type_string() }}) as tipo_prestamo,
    cast(null as {{ dbt.type_string() }}) as codigo_recurso,
    {{ date_text('roles.principal_due_date') }} as ultima_fecha_venc,
    cast(null as {{ dbt.type_int() }}) as dias_prorroga,
    {{ minor_units_text('roles.disbursed_amount') }} as monto_desembolsado,
    cast(null as {{ dbt.type_string() }}) as tipo_credito,
    {{ date_text('roles.last_principal_payment_date') }} as fecha_ultimo_pago_k,
    {{ date_text('roles.last_interest_payment_date') }} as fecha_ultimo_pago_i,
    extract(day from roles.principal_due_date) as dia_pago_k,
    cast(null as {{ dbt.type_int() }}) as dia_pago_i,
    case when roles.principal_in_arrears > 0 then 1 else 0 end as cuota_mora_k,
    roles.interest_installments_in_arrears as cuota_mora_i,
    cast(null as {{ dbt.type_string() }}) as monto_cuota,
    principal_nodes.node_code_undotted as cuenta_contable_k,
    interest_nodes.node_code_undotted as cuenta_contable_i,
    cast(null as {{ dbt.type_string() }}) as fecha_cancelacion,
    cast(null as {{ dbt.type_string() }}) as adelanto_capital,
    {{ minor_units_text('roles.net_risk') }} as riesgo_neto,
    cast(null as {{ dbt.type_string() }}) as saldo_seguro,
    cast(null as {{ dbt.type_string() }}) as saldo_costas_procesales,
    cast(null as {{ dbt.type_string() }}) as tipo_tarjeta_credito,
    cast(null as {{ dbt.type_string() }}) as clase_tarjeta_credito,
    cast(null as {{ dbt.type_string() }}) as producto_tarjeta_credito,
    {{ minor_units_text('roles.collateral_value') }} as valor_garantia_cons,
    cast(null as {{ dbt.type_string() }}) as distrito_otorgamiento,
    {{ minor_units_text('roles.reserve') }} as reserva_referencia,
    cast(null as {{ dbt.type_string() }}) as etapa_judicial,
    cast(null as {{ dbt.type_string() }}) as fecha_demanda,
    facilities.duration_months as plazo_credito,
    cast(null as {{ dbt.type_string() }}) as orden_descuento,
    roles.risk_category as categoria_riesgo_ref
from roles
join facilities on facilities.credit_facility_id = roles.credit_facility_id
join {{ ref('nrp_92_credit_states') }} as states on states.receivable_status = roles.worst_status
left join account_nodes as principal_nodes on principal_nodes.account_code = roles.principal_account_code
left join account_nodes as interest_nodes on interest_nodes.account_code = roles.interest_account_code
