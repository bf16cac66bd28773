{#- What the regulatory marts need beyond cross_database.sql: exact wide arithmetic and the text
    forms the regulators' schemas ask for. One macro each, a body per adapter where they differ. -#}

{#- floor(a x b / c) for whole numbers a, b >= 0 and c > 0, exactly, as BIGINT, when a x b can pass
    INT64 (sats x cents, cents x cents). DuckDB: in HUGEINT. BigQuery: in INT64 only, by long
    multiplication (b = b1 x 10^6 + b0), exact while a and c stay under about 4 x 10^12 (40,000
    BTC in sats, 40 billion dollars in cents) and an error, never a wrong number, beyond. (NUMERIC
    would do on BigQuery itself, but the local emulator runs it as DECIMAL(18, 3) and divides
    decimals in floating point.) -#}
{% macro mul_div(a, b, c) %}{{ return(adapter.dispatch('mul_div', 'lana')(a, b, c)) }}{% endmacro %}
{% macro default__mul_div(a, b, c) %}cast((cast({{ a }} as hugeint) * ({{ b }})) // ({{ c }}) as bigint){% endmacro %}
{% macro bigquery__mul_div(a, b, c) -%}
{#- Every DIV / MOD and every compound operand is wrapped in a CAST: the emulator turns DIV into
    DuckDB's `//` without the parentheses the operands had. -#}
{%- set A, C = 'cast(' ~ a ~ ' as int64)', 'cast(' ~ c ~ ' as int64)' -%}
{%- set B1 = 'cast(div(cast(' ~ b ~ ' as int64), 1000000) as int64)' -%}
{%- set B0 = 'cast(mod(cast(' ~ b ~ ' as int64), 1000000) as int64)' -%}
{%- set X = 'cast(' ~ A ~ ' * ' ~ B1 ~ ' as int64)' -%}
{%- set R1 = 'cast(mod(' ~ X ~ ', ' ~ C ~ ') as int64)' -%}
cast(cast(div({{ X }}, {{ C }}) as int64) * 1000000
     + cast(div(cast({{ R1 }} * 1000000 + {{ A }} * {{ B0 }} as int64), {{ C }}) as int64) as int64)
{%- endmacro %}

{#- Integer minor units (cents: places=2, sats: places=8) as decimal text with exactly that many
    places: 123456 -> '1234.56', -5 -> '-0.05'. Integer arithmetic only. -#}
{% macro minor_units_text(expr, places=2) -%}
{%- set unit = 10 ** places -%}
(case when ({{ expr }}) < 0 then '-' else '' end
 || cast({{ int_div('abs(' ~ expr ~ ')', unit) }} as {{ dbt.type_string() }})
 || '.'
 || lpad(cast(abs({{ expr }}) - {{ int_div('abs(' ~ expr ~ ')', unit) }} * {{ unit }} as {{ dbt.type_string() }}), {{ places }}, '0'))
{%- endmacro %}

{#- A percentage the core keeps as a decimal (12, 0.5) in hundredths of a percent, rounded half
    away from zero: the integer to pass to minor_units_text for '12.00'. -#}
{% macro percent_hundredths(expr) %}cast(round(({{ expr }}) * 100, 0) as {{ dbt.type_bigint() }}){% endmacro %}

{#- A date as 'YYYY-MM-DD' text (xs:date). -#}
{% macro date_text(expr) %}cast({{ expr }} as {{ dbt.type_string() }}){% endmacro %}

{#- A reference the regulator's short text fields can take from one of our UUIDs: its last
    `length` hex digits, upper case (the random part of a UUIDv7, so unique in practice). -#}
{% macro short_reference(expr, length) %}upper(right(replace(cast({{ expr }} as {{ dbt.type_string() }}), '-', ''), {{ length }})){% endmacro %}

{#- The customer's identification in NRP-92 and UIF-07 (numero_documento, documento_deudor):
    the core records no identity document, so the customer's id stands in for it (14 characters). -#}
{% macro debtor_document(customer_id) %}{{ short_reference(customer_id, 14) }}{% endmacro %}

{#- A JSON object as text, keys in the order given: pairs is a list of (key, SQL expression).
    Write the keys in alphabetical order: BigQuery sorts an object's keys, DuckDB keeps them. -#}
{% macro json_object_text(pairs) %}{{ return(adapter.dispatch('json_object_text', 'lana')(pairs)) }}{% endmacro %}
{% macro default__json_object_text(pairs) -%}
cast(json_object({%- for key, value in pairs %}'{{ key }}', {{ value }}{{ ', ' if not loop.last }}{%- endfor %}) as varchar)
{%- endmacro %}
{% macro bigquery__json_object_text(pairs) -%}
to_json_string(json_object({%- for key, value in pairs %}'{{ key }}', {{ value }}{{ ', ' if not loop.last }}{%- endfor %}))
{%- endmacro %}

{#- Whether text matches a regular expression as a whole (for tests of the regulators' formats). -#}
{% macro full_match(expr, pattern) %}{{ return(adapter.dispatch('full_match', 'lana')(expr, pattern)) }}{% endmacro %}
{% macro default__full_match(expr, pattern) %}regexp_full_match({{ expr }}, '{{ pattern }}'){% endmacro %}
{% macro bigquery__full_match(expr, pattern) %}regexp_contains({{ expr }}, r'^(?:{{ pattern }})$'){% endmacro %}

{#- Every non-null value of the column matches the pattern as a whole. -#}
{% test matches_pattern(model, column_name, pattern) %}
select {{ column_name }} from {{ model }}
where {{ column_name }} is not null and not {{ full_match(column_name, pattern) }}
{% endtest %}

{#- The column holds decimal text with exactly `places` decimals and at most `total_digits`
    digits in all (an XSD xs:decimal with totalDigits / fractionDigits, written as we write it). -#}
{% test decimal_text(model, column_name, total_digits=12, places=2) %}
select {{ column_name }} from {{ model }}
where {{ column_name }} is not null
  and not {{ full_match(column_name, '-?(0|[1-9][0-9]{0,' ~ (total_digits - places - 1) ~ '})\\.[0-9]{' ~ places ~ '}') }}
{% endtest %}
