-- The chart of accounts: every node with its place in the hierarchy and, from its top-level
-- node, the statement category it reports under (as the core's statements do).
with charts as (
    select * from {{ ref('stg_accounting__charts') }} where chart_code = 'primary'
)

select
    nodes.node_code,
    nodes.parent_node_code,
    nodes.node_name,
    nodes.normal_balance,
    nodes.depth,
    nodes.position,
    nodes.account_set_id,
    charts.journal_id,
    substr(nodes.node_code, 1, 1) as top_node_code,
    case substr(nodes.node_code, 1, 1)
        when charts.assets_code then 'asset'
        when charts.liabilities_code then 'liability'
        when charts.equity_code then 'equity'
        when charts.revenue_code then 'revenue'
        when charts.cost_of_revenue_code then 'cost_of_revenue'
        when charts.expenses_code then 'expenses'
        else 'off_balance_sheet'
    end as category
from {{ ref('stg_accounting__chart_nodes') }} as nodes
join charts on charts.chart_id = nodes.chart_id
