select
    cast(id as {{ dbt.type_string() }}) as transaction_id,
    cast(journal_id as {{ dbt.type_string() }}) as journal_id,
    template_code,
    idempotency_key,
    cast(effective_date as date) as effective_date,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as recorded_at,
    description,
    {{ json_text('metadata', '$.kind') }} as transaction_kind,
    cast(reverses_transaction_id as {{ dbt.type_string() }}) as reverses_transaction_id,
    cast(xact_id as {{ dbt.type_bigint() }}) as xact_id
from {{ source('ledger', 'transactions') }}
