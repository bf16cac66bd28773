-- An edge of the account-set hierarchy: a set contains an account or another set.
select
    cast(set_id as {{ dbt.type_string() }}) as account_set_id,
    cast(member_account_id as {{ dbt.type_string() }}) as member_account_id,
    cast(member_set_id as {{ dbt.type_string() }}) as member_set_id,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at
from {{ source('ledger', 'account_set_members') }}
