select
    cast(id as {{ dbt.type_string() }}) as account_id,
    cast(journal_id as {{ dbt.type_string() }}) as journal_id,
    code as account_code,
    name as account_name,
    normal_balance,
    status as account_status,
    prevent_overdraft as is_overdraft_prevented,
    external_id,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at
from {{ source('ledger', 'accounts') }}
