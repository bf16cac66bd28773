-- Every credit reference (a disbursal paid out) on every day something is owed on it, in cents:
-- its principal (the disbursal's obligation) and its part of the facility's interest, each by
-- where it sits on the books (current: not yet due or due; overdue: overdue or in liquidation;
-- defaulted), what is in arrears (owed past its due date) and for how many days.
--
-- Interest is billed per facility, not per disbursal: the facility's interest, in disjoint parts
-- (by status on the books x whether it is past its due date), is split over its references in proportion to their principal outstanding that day (to their
-- disbursed amounts once no principal is left), in whole cents, the cents lost to rounding going
-- to the reference with the largest weight. The references' figures add up to the facility's,
-- to the cent, and so to its receivable balances in the ledger.
{%- set interest_parts = ['current_on_time', 'current_late', 'overdue_on_time', 'overdue_late',
                          'defaulted_on_time', 'defaulted_late'] %}
{%- set status_rank = "case {s} when 'defaulted' then 5 when 'liquidation' then 4 when 'overdue' then 3 when 'due' then 2 else 1 end" %}

with disbursals as (
    select disbursal_id, credit_facility_id, obligation_id, amount, confirmed_date
    from {{ ref('int_disbursals') }}
    where status = 'confirmed'
),

obligation_days as (
    select * from {{ ref('int_credit_obligations_daily') }} where outstanding > 0
),

principal as (
    select
        disbursals.disbursal_id,
        days.as_of_date,
        days.outstanding,
        days.receivable_status,
        days.days_past_due,
        days.due_date
    from disbursals
    join obligation_days as days on days.obligation_id = disbursals.obligation_id
),

interest as (
    select
        credit_facility_id,
        as_of_date,
        {%- for status, statuses in [('current', "'not_yet_due', 'due'"), ('overdue', "'overdue', 'liquidation'"), ('defaulted', "'defaulted'")] %}
        sum(case when receivable_status in ({{ statuses }}) and days_past_due = 0 then outstanding else 0 end) as {{ status }}_on_time,
        sum(case when receivable_status in ({{ statuses }}) and days_past_due > 0 then outstanding else 0 end) as {{ status }}_late,
        {%- endfor %}
        max(days_past_due) as interest_days_past_due,
        cast(sum(case when days_past_due > 0 then 1 else 0 end) as {{ dbt.type_bigint() }}) as interest_installments_in_arrears,
        min(case when days_past_due > 0 then due_date end) as interest_first_unpaid_due_date,
        max({{ status_rank.replace('{s}', 'receivable_status') }}) as interest_status_rank
    from obligation_days
    where kind = 'interest'
    group by credit_facility_id, as_of_date
),

candidates as (
    select disbursal_id, as_of_date from principal
    union distinct
    select disbursals.disbursal_id, interest.as_of_date
    from interest
    join disbursals
        on disbursals.credit_facility_id = interest.credit_facility_id
        and disbursals.confirmed_date <= interest.as_of_date
),

weighted as (
    select
        candidates.disbursal_id,
        candidates.as_of_date,
        disbursals.credit_facility_id,
        disbursals.obligation_id,
        disbursals.amount as disbursed_amount,
        disbursals.confirmed_date as disbursal_date,
        coalesce(principal.outstanding, 0) as principal_outstanding,
        coalesce(principal.receivable_status, 'not_yet_due') as principal_status,
        coalesce(principal.days_past_due, 0) as principal_days_past_due,
        principal.due_date as principal_due_date,
        sum(coalesce(principal.outstanding, 0)) over facility_day as facility_principal
    from candidates
    join disbursals on disbursals.disbursal_id = candidates.disbursal_id
    left join principal on principal.disbursal_id = candidates.disbursal_id and principal.as_of_date = candidates.as_of_date
    window facility_day as (partition by disbursals.credit_facility_id, candidates.as_of_date)
),

weights as (
    select
        weighted.*,
        case when facility_principal > 0 then principal_outstanding else disbursed_amount end as weight
    from weighted
),

ranked as (
    select
        weights.*,
        sum(weight) over facility_day as total_weight,
        row_number() over (partition by credit_facility_id, as_of_date order by weight desc, disbursal_id) as weight_rank
    from weights
    window facility_day as (partition by credit_facility_id, as_of_date)
),

floors as (
    select
        ranked.*,
        interest.interest_days_past_due,
        interest.interest_installments_in_arrears,
        interest.interest_first_unpaid_due_date,
        interest.interest_status_rank,
        {%- for part in interest_parts %}
        coalesce(interest.{{ part }}, 0) as {{ part }}_facility,
        {{ mul_div('coalesce(interest.' ~ part ~ ', 0)', 'ranked.weight', 'ranked.total_weight') }} as {{ part }}_floor{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked
    left join interest on interest.credit_facility_id = ranked.credit_facility_id and interest.as_of_date = ranked.as_of_date
),

shares as (
    select
        floors.*,
        {%- for part in interest_parts %}
        {{ part }}_floor + case when weight_rank = 1
            then {{ part }}_facility - sum({{ part }}_floor) over (partition by credit_facility_id, as_of_date)
            else 0 end as {{ part }}{{ ',' if not loop.last }}
        {%- endfor %}
    from floors
),

parts as (
    select
        shares.*,
        cast(current_on_time + current_late as {{ dbt.type_bigint() }}) as interest_current,
        cast(overdue_on_time + overdue_late as {{ dbt.type_bigint() }}) as interest_overdue,
        cast(defaulted_on_time + defaulted_late as {{ dbt.type_bigint() }}) as interest_defaulted,
        cast(current_late + overdue_late + defaulted_late as {{ dbt.type_bigint() }}) as interest_in_arrears
    from shares
),

references_owing as (
    select
        parts.*,
        interest_current + interest_overdue + interest_defaulted as interest_outstanding
    from parts
    where principal_outstanding + interest_current + interest_overdue + interest_defaulted > 0
),

payment_days as (
    select distinct obligations.credit_facility_id, obligations.obligation_id, obligations.kind, payments.payment_date
    from {{ ref('int_credit_obligation_payments') }} as payments
    join {{ ref('int_obligations') }} as obligations on obligations.obligation_id = payments.obligation_id
),

last_payments as (
    select
        owing.disbursal_id,
        owing.as_of_date,
        max(case when payment_days.obligation_id = owing.obligation_id then payment_days.payment_date end) as last_principal_payment_date,
        max(case when payment_days.kind = 'interest' then payment_days.payment_date end) as last_interest_payment_date
    from references_owing as owing
    join payment_days
        on payment_days.credit_facility_id = owing.credit_facility_id
        and payment_days.payment_date <= owing.as_of_date
    group by owing.disbursal_id, owing.as_of_date
)

select
    owing.disbursal_id,
    owing.credit_facility_id,
    facilities.customer_id,
    owing.as_of_date,
    owing.disbursed_amount,
    owing.disbursal_date,
    coalesce(owing.principal_due_date, facilities.maturity_date) as principal_due_date,
    case when owing.principal_status in ('not_yet_due', 'due') then owing.principal_outstanding else 0 end as principal_current,
    case when owing.principal_status in ('overdue', 'liquidation') then owing.principal_outstanding else 0 end as principal_overdue,
    case when owing.principal_status = 'defaulted' then owing.principal_outstanding else 0 end as principal_defaulted,
    owing.principal_outstanding,
    case when owing.principal_days_past_due > 0 then owing.principal_outstanding else 0 end as principal_in_arrears,
    owing.principal_days_past_due,
    owing.principal_status,
    owing.disbursed_amount - owing.principal_outstanding as principal_repaid,
    owing.interest_current,
    owing.interest_overdue,
    owing.interest_defaulted,
    owing.interest_outstanding,
    owing.interest_in_arrears,
    coalesce(owing.interest_days_past_due, 0) as interest_days_past_due,
    coalesce(owing.interest_installments_in_arrears, 0) as interest_installments_in_arrears,
    owing.interest_first_unpaid_due_date,
    case coalesce(owing.interest_status_rank, 0)
        when 5 then 'defaulted' when 4 then 'liquidation' when 3 then 'overdue' when 2 then 'due'
        when 1 then 'not_yet_due' end as interest_status,
    owing.principal_outstanding + owing.interest_outstanding as total_outstanding,
    case when {{ status_rank.replace('{s}', 'owing.principal_status') }} >= coalesce(owing.interest_status_rank, 0)
         then owing.principal_status
         else case owing.interest_status_rank when 5 then 'defaulted' when 4 then 'liquidation' when 3 then 'overdue'
                   when 2 then 'due' else 'not_yet_due' end
    end as worst_status,
    last_payments.last_principal_payment_date,
    last_payments.last_interest_payment_date,
    'USD' as currency
from references_owing as owing
join {{ ref('int_credit_facilities') }} as facilities on facilities.credit_facility_id = owing.credit_facility_id
left join last_payments on last_payments.disbursal_id = owing.disbursal_id and last_payments.as_of_date = owing.as_of_date
