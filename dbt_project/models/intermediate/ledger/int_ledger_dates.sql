-- The warehouse's days: from the first effective date in the ledger to the last day anything
-- was posted or recorded (the "as of" of the marts).
with bounds as (
    select
        min(effective_date) as first_date,
        greatest(max(effective_date), max(cast(recorded_at as date))) as last_date
    from {{ ref('stg_ledger__entries') }}
)

select spine.date_day
from bounds
cross join ({{ days_between('(select first_date from bounds)', '(select last_date from bounds)') }}) as spine
