-- An account's cumulative totals after each transaction that touched it (per currency).
select
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    currency,
    cast(version as {{ dbt.type_bigint() }}) as version,
    cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
    cast(effective_date as date) as effective_date,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as recorded_at,
    cast(settled_dr as {{ dbt.type_bigint() }}) as settled_dr,
    cast(settled_cr as {{ dbt.type_bigint() }}) as settled_cr,
    cast(pending_dr as {{ dbt.type_bigint() }}) as pending_dr,
    cast(pending_cr as {{ dbt.type_bigint() }}) as pending_cr,
    cast(encumbrance_dr as {{ dbt.type_bigint() }}) as encumbrance_dr,
    cast(encumbrance_cr as {{ dbt.type_bigint() }}) as encumbrance_cr
from {{ source('ledger', 'balance_history') }}
