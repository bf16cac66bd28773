select
    cast(id as {{ dbt.type_string() }}) as account_set_id,
    cast(journal_id as {{ dbt.type_string() }}) as journal_id,
    code as account_set_code,
    name as account_set_name,
    normal_balance,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at
from {{ source('ledger', 'account_sets') }}
