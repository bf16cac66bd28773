-- The month's result per currency: revenue, cost of revenue, expenses (top-level nodes) and
-- net income, in minor units.
select
    {{ month_start('movement_date') }} as period_start,
    {{ month_end('movement_date') }} as period_end,
    currency,
    sum(case when category = 'revenue' then result else 0 end) as revenue,
    sum(case when category = 'cost_of_revenue' then result else 0 end) as cost_of_revenue,
    sum(case when category = 'expenses' then result else 0 end) as expenses,
    sum(case when category = 'revenue' then result else 0 end)
        - sum(case when category = 'cost_of_revenue' then result else 0 end)
        - sum(case when category = 'expenses' then result else 0 end) as net_income
from {{ ref('profit_and_loss') }}
where depth = 0
group by {{ month_start('movement_date') }}, {{ month_end('movement_date') }}, currency
