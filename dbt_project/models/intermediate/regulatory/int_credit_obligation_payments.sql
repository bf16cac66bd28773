-- Every part of a payment applied to an obligation: the obligation, the payment, the amount
-- (cents) and the payment's effective date (the day its ledger postings are effective).
select
    events.stream_id as obligation_id,
    {{ json_text('events.payload', '$.payment_id') }} as payment_id,
    cast({{ json_text('events.payload', '$.amount') }} as {{ dbt.type_bigint() }}) as amount,
    payments.effective_date as payment_date,
    events.version as obligation_version
from {{ ref('stg_core__events') }} as events
join {{ ref('int_payments') }} as payments
    on payments.payment_id = {{ json_text('events.payload', '$.payment_id') }}
where events.stream_type = 'credit_obligation'
  and events.event_type = 'ObligationPaymentApplied'
