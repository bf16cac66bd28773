-- What moved on each account, per currency and effective date: debits and credits per layer,
-- and the part of the settled ones made by year-end closing transactions.
--
-- Incremental: a build recomputes the (account, currency, day) groups that new entries touch.
-- "New" is xact_id above the highest already processed: the EL only ever loads a row once every
-- older transaction has ended, so no row can arrive later with a lower xact_id.
{{ config(
    materialized='incremental',
    unique_key=['account_id', 'currency', 'effective_date'],
    incremental_strategy=upsert_strategy(),
) }}

with entries as (
    select * from {{ ref('stg_ledger__entries') }}
)

{% if is_incremental() %}
, touched as (
    select distinct account_id, currency, effective_date
    from entries
    where xact_id > (select coalesce(max(last_xact_id), -1) from {{ this }})
)
{% endif %}

select
    entries.account_id,
    entries.currency,
    entries.effective_date,
    sum(case when entries.layer = 'settled' and entries.direction = 'debit' then entries.amount else 0 end) as settled_dr,
    sum(case when entries.layer = 'settled' and entries.direction = 'credit' then entries.amount else 0 end) as settled_cr,
    sum(case when entries.layer = 'pending' and entries.direction = 'debit' then entries.amount else 0 end) as pending_dr,
    sum(case when entries.layer = 'pending' and entries.direction = 'credit' then entries.amount else 0 end) as pending_cr,
    sum(case when entries.layer = 'settled' and entries.direction = 'debit'
              and transactions.transaction_kind = 'year_end_closing' then entries.amount else 0 end) as closing_settled_dr,
    sum(case when entries.layer = 'settled' and entries.direction = 'credit'
              and transactions.transaction_kind = 'year_end_closing' then entries.amount else 0 end) as closing_settled_cr,
    max(entries.xact_id) as last_xact_id
from entries
join {{ ref('stg_ledger__transactions') }} as transactions on transactions.transaction_id = entries.transaction_id
{% if is_incremental() %}
join touched
    on touched.account_id = entries.account_id
    and touched.currency = entries.currency
    and touched.effective_date = entries.effective_date
{% endif %}
group by entries.account_id, entries.currency, entries.effective_date
