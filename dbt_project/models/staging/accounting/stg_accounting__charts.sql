select
    cast(id as {{ dbt.type_string() }}) as chart_id,
    code as chart_code,
    name as chart_name,
    cast(journal_id as {{ dbt.type_string() }}) as journal_id,
    assets_code,
    liabilities_code,
    equity_code,
    revenue_code,
    cost_of_revenue_code,
    expenses_code,
    retained_earnings_gain_code,
    retained_earnings_loss_code
from {{ source('accounting', 'charts') }}
