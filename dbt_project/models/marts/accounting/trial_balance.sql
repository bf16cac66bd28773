-- The trial balance per month: for every chart node, currency and layer, the balance before
-- the month (opening), the month's debits and credits, and the balance at its end (closing);
-- balances on the node's normal side, amounts in minor units (cents, sats).
with days as (
    select
        balances.*,
        {{ month_start('balances.balance_date') }} as period_start
    from {{ ref('int_chart_node_balances_daily') }} as balances
),

months as (
    select
        node_code,
        currency,
        period_start,
        max(balance_date) as last_day,
        sum(settled_dr) as settled_debits,
        sum(settled_cr) as settled_credits,
        sum(pending_dr) as pending_debits,
        sum(pending_cr) as pending_credits
    from days
    group by node_code, currency, period_start
),

month_ends as (
    select months.*, days.settled_dr_total, days.settled_cr_total, days.pending_dr_total, days.pending_cr_total
    from months
    join days
        on days.node_code = months.node_code
        and days.currency = months.currency
        and days.balance_date = months.last_day
),

layers as (
    select node_code, currency, period_start, 'settled' as layer, settled_debits as debits, settled_credits as credits,
           settled_dr_total as dr_total, settled_cr_total as cr_total
    from month_ends
    union all
    select node_code, currency, period_start, 'pending' as layer, pending_debits, pending_credits,
           pending_dr_total, pending_cr_total
    from month_ends
),

signed as (
    select
        layers.*,
        case when nodes.normal_balance = 'debit' then 1 else -1 end as side
    from layers
    join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = layers.node_code
)

select
    signed.period_start,
    {{ month_end('signed.period_start') }} as period_end,
    signed.currency,
    signed.layer,
    nodes.node_code,
    nodes.node_name,
    nodes.parent_node_code,
    nodes.depth,
    nodes.position,
    nodes.normal_balance,
    nodes.category,
    signed.side * ((signed.dr_total - signed.debits) - (signed.cr_total - signed.credits)) as opening,
    signed.debits,
    signed.credits,
    signed.side * (signed.dr_total - signed.cr_total) as closing
from signed
join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = signed.node_code
