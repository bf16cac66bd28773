-- Per day and currency: total assets, liabilities and equity (their top-level nodes), the
-- current earnings (revenue - cost of revenue - expenses not yet closed into retained earnings)
-- and whether assets = liabilities + equity + current earnings.
with tops as (
    select
        balances.balance_date as as_of_date,
        balances.currency,
        nodes.category,
        case when nodes.normal_balance = 'debit' then balances.settled_dr_total - balances.settled_cr_total
             else balances.settled_cr_total - balances.settled_dr_total end as balance
    from {{ ref('int_chart_node_balances_daily') }} as balances
    join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = balances.node_code
    where nodes.depth = 0
),

totals as (
    select
        as_of_date,
        currency,
        sum(case when category = 'asset' then balance else 0 end) as assets,
        sum(case when category = 'liability' then balance else 0 end) as liabilities,
        sum(case when category = 'equity' then balance else 0 end) as equity,
        sum(case when category = 'revenue' then balance else 0 end)
            - sum(case when category = 'cost_of_revenue' then balance else 0 end)
            - sum(case when category = 'expenses' then balance else 0 end) as current_earnings
    from tops
    group by as_of_date, currency
)

select
    totals.*,
    liabilities + equity + current_earnings as liabilities_and_equity,
    assets = liabilities + equity + current_earnings as is_balanced
from totals
