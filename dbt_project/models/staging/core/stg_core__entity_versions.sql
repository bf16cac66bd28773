select
    cast(stream_id as {{ dbt.type_string() }}) as entity_id,
    stream_type as entity_type,
    cast(version as {{ dbt.type_bigint() }}) as version,
    cast(state as {{ dbt.type_string() }}) as state,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as valid_from,
    cast(xact_id as {{ dbt.type_bigint() }}) as xact_id
from {{ source('core', 'entity_versions') }}
