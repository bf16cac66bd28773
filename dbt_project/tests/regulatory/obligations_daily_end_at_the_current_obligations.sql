-- The day-by-day obligations rebuilt from events end where the core's obligations are now: on
-- the warehouse's last day every unpaid obligation owes its current outstanding in its current
-- status; a paid one's last day is the day it was paid, with nothing left.
with last_days as (
    select daily.*
    from {{ ref('int_credit_obligations_daily') }} as daily
    join (
        select obligation_id, max(as_of_date) as last_date
        from {{ ref('int_credit_obligations_daily') }}
        group by obligation_id
    ) as ends on ends.obligation_id = daily.obligation_id and ends.last_date = daily.as_of_date
)

select current_state.obligation_id, current_state.status, current_state.outstanding,
       last_days.as_of_date, last_days.status as rebuilt_status, last_days.outstanding as rebuilt_outstanding
from {{ ref('int_obligations') }} as current_state
left join last_days on last_days.obligation_id = current_state.obligation_id
where last_days.obligation_id is null
   or last_days.outstanding <> current_state.outstanding
   or last_days.status <> current_state.status
   or (current_state.status = 'paid' and last_days.as_of_date <> current_state.paid_date)
   or (current_state.status <> 'paid'
       and last_days.as_of_date <> (select max(date_day) from {{ ref('int_ledger_dates') }}))
