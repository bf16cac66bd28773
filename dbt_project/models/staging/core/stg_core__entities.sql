select
    cast(stream_id as {{ dbt.type_string() }}) as entity_id,
    stream_type as entity_type,
    cast(version as {{ dbt.type_bigint() }}) as version,
    cast(state as {{ dbt.type_string() }}) as state,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('core', 'entities') }}
