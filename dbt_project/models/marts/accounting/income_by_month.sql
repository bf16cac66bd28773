-- Income by month (USD, cents): interest on loans, fees, other operating income, from the
-- profit and loss (year-end closings left out).
select
    {{ month_start('movement_date') }} as period_start,
    currency,
    sum(case when node_code = '41' then result else 0 end) as interest_income,
    sum(case when node_code = '42' then result else 0 end) as fee_income,
    sum(case when node_code = '43' then result else 0 end) as other_income,
    sum(case when node_code = '4' then result else 0 end) as total_revenue
from {{ ref('profit_and_loss') }}
where currency = 'USD' and node_code in ('4', '41', '42', '43')
group by {{ month_start('movement_date') }}, currency
