-- Every obligation on every day from the day it arose to the day it was paid (both included):
-- what is still owed (cents), paid so far, its status on the books that day and its days past
-- due. The status is the last one the core recorded as reached on or before the day (its
-- ledger moves the outstanding between receivable accounts with that date as effective), so
-- the outstanding per status adds up to the facility's receivable balances any day; "paid"
-- once nothing is owed. receivable_status: where the outstanding sits (the status before paid).
-- days_past_due: days since the due date while something is owed after it (0 otherwise).
with obligations as (
    select * from {{ ref('int_obligations') }}
),

payments as (
    select obligation_id, payment_date, sum(amount) as paid
    from {{ ref('int_credit_obligation_payments') }}
    group by obligation_id, payment_date
),

status_changes as (
    select obligation_id, on_date, status
    from (
        select
            stream_id as obligation_id,
            {{ try_cast(json_text('payload', '$.on'), 'date') }} as on_date,
            {{ json_text('payload', '$.status') }} as status,
            row_number() over (partition by stream_id, {{ json_text('payload', '$.on') }} order by version desc) as last_of_day
        from {{ ref('stg_core__events') }}
        where stream_type = 'credit_obligation'
          and event_type = 'ObligationStatusChanged'
          and {{ json_text('payload', '$.status') }} <> 'paid'
    ) as changes
    where last_of_day = 1
),

grid as (
    select
        obligations.obligation_id,
        obligations.credit_facility_id,
        obligations.kind,
        obligations.amount,
        obligations.effective_date,
        obligations.due_date,
        dates.date_day as as_of_date
    from obligations
    join {{ ref('int_ledger_dates') }} as dates
        on dates.date_day >= obligations.effective_date
        and (obligations.paid_date is null or dates.date_day <= obligations.paid_date)
),

days as (
    select
        grid.*,
        coalesce(payments.paid, 0) as paid_on_day,
        case when payments.paid > 0 then grid.as_of_date end as payment_day,
        status_changes.status as status_reached
    from grid
    left join payments on payments.obligation_id = grid.obligation_id and payments.payment_date = grid.as_of_date
    left join status_changes on status_changes.obligation_id = grid.obligation_id and status_changes.on_date = grid.as_of_date
),

running as (
    select
        obligation_id, credit_facility_id, kind, amount, effective_date, due_date, as_of_date,
        cast(sum(paid_on_day) over running as {{ dbt.type_bigint() }}) as paid_to_date,
        max(payment_day) over running as last_payment_date,
        coalesce(last_value(status_reached ignore nulls) over running, 'not_yet_due') as receivable_status
    from days
    window running as (partition by obligation_id order by as_of_date rows between unbounded preceding and current row)
)

select
    obligation_id,
    credit_facility_id,
    kind,
    as_of_date,
    amount,
    paid_to_date,
    amount - paid_to_date as outstanding,
    case when amount - paid_to_date = 0 then 'paid' else receivable_status end as status,
    receivable_status,
    effective_date,
    due_date,
    case when amount - paid_to_date > 0 and as_of_date > due_date
         then {{ days_from('due_date', 'as_of_date') }} else 0 end as days_past_due,
    last_payment_date,
    'USD' as currency
from running
