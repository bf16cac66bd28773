{#- What differs between DuckDB and BigQuery, one macro each, with a body per adapter. -#}

{#- The text at a JSON path of a JSON text column ('$.a.b'); NULL when absent or JSON null. -#}
{% macro json_text(column, path) %}{{ return(adapter.dispatch('json_text', 'lana')(column, path)) }}{% endmacro %}
{% macro default__json_text(column, path) %}json_extract_string({{ column }}, '{{ path }}'){% endmacro %}
{% macro bigquery__json_text(column, path) %}json_value({{ column }}, '{{ path }}'){% endmacro %}

{#- The JSON text (array or object) at a path, for unnesting. -#}
{% macro json_query(column, path) %}{{ return(adapter.dispatch('json_query', 'lana')(column, path)) }}{% endmacro %}
{% macro default__json_query(column, path) %}json_extract({{ column }}, '{{ path }}'){% endmacro %}
{% macro bigquery__json_query(column, path) %}json_query({{ column }}, '{{ path }}'){% endmacro %}

{#- One row per day from start to end (date expressions, both included), column date_day. -#}
{% macro days_between(start_date, end_date) %}{{ return(adapter.dispatch('days_between', 'lana')(start_date, end_date)) }}{% endmacro %}
{% macro default__days_between(start_date, end_date) %}
    select cast(unnest(generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp),
                                       interval 1 day)) as date) as date_day
{% endmacro %}
{% macro bigquery__days_between(start_date, end_date) %}
    select d as date_day from unnest(generate_date_array(cast({{ start_date }} as date), cast({{ end_date }} as date))) as d
{% endmacro %}

{#- The first day of the month of a date, as a DATE. On BigQuery DATE_TRUNC(DATE) is a DATE; the
    cast is for bqemulator 1.4.0, which returns a DATETIME for a DATE column. -#}
{% macro month_start(date_expr) %}{{ return(adapter.dispatch('month_start', 'lana')(date_expr)) }}{% endmacro %}
{% macro default__month_start(date_expr) %}cast({{ dbt.date_trunc('month', date_expr) }} as date){% endmacro %}
{% macro bigquery__month_start(date_expr) %}cast(date_trunc({{ date_expr }}, month) as date){% endmacro %}

{#- The last day of the month of a date, as a DATE. -#}
{% macro month_end(date_expr) %}{{ return(adapter.dispatch('month_end', 'lana')(date_expr)) }}{% endmacro %}
{% macro default__month_end(date_expr) %}cast({{ dbt.last_day(date_expr, 'month') }} as date){% endmacro %}
{% macro bigquery__month_end(date_expr) %}last_day({{ date_expr }}, month){% endmacro %}

{#- A date some whole days after (or, negative, before) another, as a DATE (dbt.dateadd gives a
    TIMESTAMP on DuckDB and a DATETIME on BigQuery, which then must compare with DATEs). -#}
{% macro add_days(date_expr, days) %}{{ return(adapter.dispatch('add_days', 'lana')(date_expr, days)) }}{% endmacro %}
{% macro default__add_days(date_expr, days) %}cast({{ dbt.dateadd('day', days, date_expr) }} as date){% endmacro %}
{% macro bigquery__add_days(date_expr, days) %}date_add({{ date_expr }}, interval {{ days }} day){% endmacro %}

{#- Whole days from one date to another. -#}
{% macro days_from(start_date, end_date) %}{{ return(adapter.dispatch('days_from', 'lana')(start_date, end_date)) }}{% endmacro %}
{% macro default__days_from(start_date, end_date) %}{{ dbt.datediff(start_date, end_date, 'day') }}{% endmacro %}
{% macro bigquery__days_from(start_date, end_date) %}date_diff({{ end_date }}, {{ start_date }}, day){% endmacro %}

{#- A cast that gives NULL instead of failing. -#}
{% macro try_cast(expr, type) %}{{ return(adapter.dispatch('try_cast', 'lana')(expr, type)) }}{% endmacro %}
{% macro default__try_cast(expr, type) %}try_cast({{ expr }} as {{ type }}){% endmacro %}
{% macro bigquery__try_cast(expr, type) %}safe_cast({{ expr }} as {{ type }}){% endmacro %}

{#- Integer division of whole numbers (cents, sats), rounding toward zero. -#}
{% macro int_div(numerator, denominator) %}{{ return(adapter.dispatch('int_div', 'lana')(numerator, denominator)) }}{% endmacro %}
{% macro default__int_div(numerator, denominator) %}({{ numerator }}) // ({{ denominator }}){% endmacro %}
{#- The casts are no-ops on BigQuery, where sums of INT64 stay INT64 (both operands must be whole
    and fit INT64: a NUMERIC with a fraction would be rounded by them). bqemulator 1.4.0 types such
    sums NUMERIC and turns DIV into DuckDB's `//`, which divides decimals in floating point
    (99000.06, not 99000). -#}
{% macro bigquery__int_div(numerator, denominator) %}div(cast({{ numerator }} as int64), cast({{ denominator }} as int64)){% endmacro %}
