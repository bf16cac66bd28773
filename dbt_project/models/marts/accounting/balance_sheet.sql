-- The balance sheet as of the end of every day: each asset, liability and equity node's settled
-- balance on its normal side, per currency (minor units). Totals and the current earnings are
-- in balance_sheet_totals.
select
    balances.balance_date as as_of_date,
    balances.currency,
    nodes.category,
    nodes.node_code,
    nodes.node_name,
    nodes.parent_node_code,
    nodes.depth,
    nodes.position,
    case when nodes.normal_balance = 'debit' then balances.settled_dr_total - balances.settled_cr_total
         else balances.settled_cr_total - balances.settled_dr_total end as balance
from {{ ref('int_chart_node_balances_daily') }} as balances
join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = balances.node_code
where nodes.category in ('asset', 'liability', 'equity')
