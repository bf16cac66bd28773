-- Every day has a row for every chart node in both currencies: no gaps for a report to fall in.
with expected as (
    select count(*) * 2 as rows_per_day from {{ ref('int_chart_nodes') }}
)

select balance_date, count(*) as rows_found
from {{ ref('int_chart_node_balances_daily') }}
group by balance_date
having count(*) <> (select rows_per_day from expected)
union all
select date_day, 0 from {{ ref('int_ledger_dates') }}
where date_day not in (select balance_date from {{ ref('int_chart_node_balances_daily') }})
