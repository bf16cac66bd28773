-- Profit and loss by day: each revenue, cost-of-revenue and expense node's settled movement on
-- its normal side, per currency (minor units), without the year-end closing transactions (they
-- move the result to retained earnings; they are not part of it). The result of any period is
-- the sum of its days.
select
    balances.balance_date as movement_date,
    balances.currency,
    nodes.category,
    nodes.node_code,
    nodes.node_name,
    nodes.parent_node_code,
    nodes.depth,
    nodes.position,
    balances.settled_dr - balances.closing_settled_dr as debits,
    balances.settled_cr - balances.closing_settled_cr as credits,
    case when nodes.normal_balance = 'debit'
         then (balances.settled_dr - balances.closing_settled_dr) - (balances.settled_cr - balances.closing_settled_cr)
         else (balances.settled_cr - balances.closing_settled_cr) - (balances.settled_dr - balances.closing_settled_dr)
    end as result
from {{ ref('int_chart_node_balances_daily') }} as balances
join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = balances.node_code
where nodes.category in ('revenue', 'cost_of_revenue', 'expenses')
