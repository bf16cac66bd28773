{#- The incremental strategy that replaces rows by key on each adapter. -#}
{% macro upsert_strategy() %}{{ return('merge' if target.type == 'bigquery' else 'delete+insert') }}{% endmacro %}
