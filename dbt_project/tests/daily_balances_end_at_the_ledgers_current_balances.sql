-- The last day of every account's daily balances equals its latest balance-history version:
-- the cumulative debits and credits per layer, for every account and currency that moved.
with latest_history as (
    select account_id, currency, settled_dr, settled_cr, pending_dr, pending_cr,
           row_number() over (partition by account_id, currency order by version desc) as newest_first
    from {{ ref('stg_ledger__balance_history') }}
),

last_day as (
    select * from {{ ref('int_account_balances_daily') }}
    where balance_date = (select max(date_day) from {{ ref('int_ledger_dates') }})
)

select latest_history.account_id, latest_history.currency
from latest_history
left join last_day
    on last_day.account_id = latest_history.account_id and last_day.currency = latest_history.currency
where latest_history.newest_first = 1
  and (last_day.account_id is null
       or last_day.settled_dr_total <> latest_history.settled_dr or last_day.settled_cr_total <> latest_history.settled_cr
       or last_day.pending_dr_total <> latest_history.pending_dr or last_day.pending_cr_total <> latest_history.pending_cr)
