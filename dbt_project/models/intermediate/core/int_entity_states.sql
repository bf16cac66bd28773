-- Every state every entity has been in, valid from its save until the next one (valid_to NULL:
-- the current state).
select
    entity_id,
    entity_type,
    version,
    state,
    valid_from,
    lead(valid_from) over (partition by entity_id order by version) as valid_to,
    lead(version) over (partition by entity_id order by version) is null as is_current
from {{ ref('stg_core__entity_versions') }}
