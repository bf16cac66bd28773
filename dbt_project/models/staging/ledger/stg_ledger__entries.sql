-- One leg of a ledger transaction: amount in minor units of its currency (cents, sats).
select
    cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
    cast(entry_index as {{ dbt.type_bigint() }}) as entry_index,
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    currency,
    layer,
    direction,
    cast(amount as {{ dbt.type_bigint() }}) as amount,
    cast(effective_date as date) as effective_date,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as recorded_at,
    cast(xact_id as {{ dbt.type_bigint() }}) as xact_id
from {{ source('ledger', 'entries') }}
