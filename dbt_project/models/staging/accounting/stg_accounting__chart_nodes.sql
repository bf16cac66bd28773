select
    cast(chart_id as {{ dbt.type_string() }}) as chart_id,
    code as node_code,
    parent_code as parent_node_code,
    name as node_name,
    normal_balance,
    cast(depth as {{ dbt.type_bigint() }}) as depth,
    cast(position as {{ dbt.type_bigint() }}) as position,
    cast(account_set_id as {{ dbt.type_string() }}) as account_set_id
from {{ source('accounting', 'chart_nodes') }}
