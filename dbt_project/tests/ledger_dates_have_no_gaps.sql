-- The warehouse's days run without a gap from the first to the last.
select min(date_day) as first_day, max(date_day) as last_day, count(*) as days
from {{ ref('int_ledger_dates') }}
having count(*) <> {{ days_from('min(date_day)', 'max(date_day)') }} + 1
