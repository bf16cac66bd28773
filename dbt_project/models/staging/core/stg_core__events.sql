select
    cast(stream_id as {{ dbt.type_string() }}) as stream_id,
    cast(version as {{ dbt.type_bigint() }}) as version,
    stream_type,
    event_type,
    cast(payload as {{ dbt.type_string() }}) as payload,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as recorded_at,
    actor,
    cast(xact_id as {{ dbt.type_bigint() }}) as xact_id
from {{ source('core', 'events') }}
