-- Every chart node, every day, both currencies (dense: a node without accounts shows zeros):
-- the day's debits and credits per layer rolled up from its accounts, the part of the settled
-- ones made by year-end closings, and the cumulative totals through the day.
with node_days as (
    select
        node_accounts.node_code,
        movements.currency,
        movements.effective_date,
        sum(movements.settled_dr) as settled_dr,
        sum(movements.settled_cr) as settled_cr,
        sum(movements.pending_dr) as pending_dr,
        sum(movements.pending_cr) as pending_cr,
        sum(movements.closing_settled_dr) as closing_settled_dr,
        sum(movements.closing_settled_cr) as closing_settled_cr
    from {{ ref('int_account_movements_daily') }} as movements
    join {{ ref('int_chart_node_accounts') }} as node_accounts on node_accounts.account_id = movements.account_id
    group by node_accounts.node_code, movements.currency, movements.effective_date
),

grid as (
    select nodes.node_code, currencies.currency, dates.date_day
    from {{ ref('int_chart_nodes') }} as nodes
    cross join (select 'USD' as currency union all select 'BTC' as currency) as currencies
    cross join {{ ref('int_ledger_dates') }} as dates
),

days as (
    select
        grid.node_code,
        grid.currency,
        grid.date_day as balance_date,
        coalesce(node_days.settled_dr, 0) as settled_dr,
        coalesce(node_days.settled_cr, 0) as settled_cr,
        coalesce(node_days.pending_dr, 0) as pending_dr,
        coalesce(node_days.pending_cr, 0) as pending_cr,
        coalesce(node_days.closing_settled_dr, 0) as closing_settled_dr,
        coalesce(node_days.closing_settled_cr, 0) as closing_settled_cr
    from grid
    left join node_days
        on node_days.node_code = grid.node_code
        and node_days.currency = grid.currency
        and node_days.effective_date = grid.date_day
)

select
    days.*,
    sum(settled_dr) over running as settled_dr_total,
    sum(settled_cr) over running as settled_cr_total,
    sum(pending_dr) over running as pending_dr_total,
    sum(pending_cr) over running as pending_cr_total
from days
window running as (partition by node_code, currency order by balance_date rows between unbounded preceding and current row)
