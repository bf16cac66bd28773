select
    cast(id as {{ dbt.type_string() }}) as journal_id,
    code as journal_code,
    name as journal_name,
    cast(closed_through as date) as closed_through_date
from {{ source('ledger', 'journals') }}
