-- What borrowers owe, by how long it has been due, at the warehouse's last day: per kind
-- (principal from disbursals, interest) and bucket of days past due, the number of unpaid
-- obligations and their outstanding (cents).
with as_of as (
    select max(date_day) as as_of_date from {{ ref('int_ledger_dates') }}
),

open_obligations as (
    select
        obligations.*,
        case when obligations.status = 'not_yet_due' then null
             else {{ days_from('obligations.due_date', '(select as_of_date from as_of)') }} end as days_past_due
    from {{ ref('int_obligations') }} as obligations
    where obligations.status <> 'paid'
),

bucketed as (
    select
        *,
        case when days_past_due is null then '0 not yet due'
             when days_past_due <= 0 then '1 due'
             when days_past_due <= 30 then '2 1-30 days'
             when days_past_due <= 60 then '3 31-60 days'
             when days_past_due <= 90 then '4 61-90 days'
             when days_past_due <= 180 then '5 91-180 days'
             else '6 over 180 days' end as bucket
    from open_obligations
)

select
    (select as_of_date from as_of) as as_of_date,
    kind,
    {{ dbt.split_part('bucket', "' '", 1) }} as bucket_order,
    substr(bucket, 3) as aging_bucket,
    count(*) as obligations,
    sum(outstanding) as outstanding,
    'USD' as currency,
    sum(case when status = 'defaulted' then outstanding else 0 end) as outstanding_defaulted
from bucketed
group by kind, bucket
