-- NRP-28 reserva de liquidez: the liquidity reserve the bank must hold at the end of the as-of
-- date, for every day of the warehouse. One line per concept of the norm (seed
-- nrp_28_liquidity_reserve_concepts): SALDO = the settled USD balance of the chart nodes mapped
-- to it (seed nrp_28_liquidity_reserve_chart_nodes, on their normal side) x the concept's
-- coefficient, rounded up to the cent; then a total line. Concepts no node maps to show 0.00.
{%- set total_line = 'Total reserva de liquidez requerida' %}
with node_balances as (
    select
        balances.balance_date as as_of_date,
        mapped.line_number,
        case when nodes.normal_balance = 'debit' then balances.settled_dr_total - balances.settled_cr_total
             else balances.settled_cr_total - balances.settled_dr_total end as balance
    from {{ ref('nrp_28_liquidity_reserve_chart_nodes') }} as mapped
    join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = mapped.node_code
    join {{ ref('int_chart_node_balances_daily') }} as balances
        on balances.node_code = mapped.node_code and balances.currency = 'USD'
),

lines as (
    select
        dates.date_day as as_of_date,
        concepts.line_number,
        concepts.concepto,
        concepts.coefficient_basis_points,
        coalesce(sum(node_balances.balance), 0) as balance
    from {{ ref('int_ledger_dates') }} as dates
    cross join {{ ref('nrp_28_liquidity_reserve_concepts') }} as concepts
    left join node_balances
        on node_balances.as_of_date = dates.date_day and node_balances.line_number = concepts.line_number
    group by dates.date_day, concepts.line_number, concepts.concepto, concepts.coefficient_basis_points
),

reserves as (
    select
        as_of_date,
        line_number,
        concepto,
        -- balance x coefficient / 10 000, rounded up to the cent (toward zero for a negative balance)
        {{ int_div('balance * coefficient_basis_points + case when balance > 0 then 9999 else 0 end', 10000) }} as reserve
    from lines
),

with_total as (
    select as_of_date, line_number, concepto, reserve from reserves
    union all
    select as_of_date, 999 as line_number, '{{ total_line }}' as concepto, sum(reserve) as reserve
    from reserves
    group by as_of_date
)

select
    as_of_date,
    concepto as {{ adapter.quote('CONCEPTO') }},
    {{ minor_units_text('reserve') }} as {{ adapter.quote('SALDO') }}
from with_total
