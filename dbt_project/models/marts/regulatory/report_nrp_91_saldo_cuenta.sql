-- NRP-91 (SSF, bancos de inversión) 01 saldo_cuenta: every node of the chart of accounts with
-- its balance at the end of the as-of date, for every day of the warehouse (dense: a node
-- without movement shows its last balance, or 0.00). valor: the settled USD balance on the
-- node's normal side, in dollars (the books' currency; bitcoin held as collateral is reported
-- at market value in NRP-92 garantia_criptomonedas, not here). id_codigo_cuenta: the node's code
-- without dots, at most its last 10 characters; nom_cuenta: its name in capitals, at most 80.
-- Columns: the elements of ssf_cebi_saldo_cuenta.xsd, in its order.
with balances as (
    select
        balances.balance_date as as_of_date,
        nodes.node_code,
        nodes.node_name,
        case when nodes.normal_balance = 'debit' then balances.settled_dr_total - balances.settled_cr_total
             else balances.settled_cr_total - balances.settled_dr_total end as balance
    from {{ ref('int_chart_node_balances_daily') }} as balances
    join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = balances.node_code
    where balances.currency = 'USD'
)

select
    as_of_date,
    right(replace(node_code, '.', ''), 10) as id_codigo_cuenta,
    left(upper(node_name), 80) as nom_cuenta,
    {{ minor_units_text('balance') }} as valor
from balances
