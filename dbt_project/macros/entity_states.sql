{#-
  The typed columns of each kind of entity, read from its state (the JSON the core's aggregate
  writes: see its docstring for what each field means). name: (JSON path, type), where type is
  text, int (whole minor units or counts), num (rates, percentages), date, timestamp or bool.
-#}
{% macro entity_fields(entity_type) %}
{%- set fields = {
    'customer': {
        'email': ('$.email', 'text'), 'customer_type': ('$.customer_type', 'text'), 'status': ('$.status', 'text'),
        'kyc_status': ('$.kyc_status', 'text'), 'kyc_level': ('$.kyc_level', 'text'),
        'activity': ('$.activity', 'text'), 'first_name': ('$.personal_info.first_name', 'text'),
        'last_name': ('$.personal_info.last_name', 'text'), 'company_name': ('$.personal_info.company_name', 'text'),
        'nationality': ('$.personal_info.nationality', 'text'),
        'date_of_birth': ('$.personal_info.date_of_birth', 'date'), 'address': ('$.personal_info.address', 'text'),
        'phone': ('$.personal_info.phone', 'text'),
    },
    'deposit_account': {
        'customer_id': ('$.holder_id', 'text'), 'customer_type': ('$.customer_type', 'text'),
        'status': ('$.status', 'text'), 'reference': ('$.reference', 'text'),
        'frozen_ledger_account_id': ('$.frozen_ledger_account_id', 'text'),
        'is_frozen_with_customer': ('$.frozen_with_customer', 'bool'),
    },
    'credit_facility': {
        'customer_id': ('$.customer_id', 'text'), 'customer_type': ('$.customer_type', 'text'),
        'deposit_account_id': ('$.deposit_account_id', 'text'), 'amount': ('$.amount', 'int'),
        'status': ('$.status', 'text'), 'collateralization_state': ('$.state', 'text'),
        'collateral_sats': ('$.collateral_sats', 'int'), 'annual_rate': ('$.terms.annual_rate', 'num'),
        'duration_months': ('$.terms.duration_months', 'int'), 'one_time_fee_rate': ('$.terms.one_time_fee_rate', 'num'),
        'initial_cvl': ('$.terms.initial_cvl', 'num'), 'margin_call_cvl': ('$.terms.margin_call_cvl', 'num'),
        'liquidation_cvl': ('$.terms.liquidation_cvl', 'num'), 'disbursal_policy': ('$.terms.disbursal_policy', 'text'),
        'overdue_days': ('$.terms.overdue_days', 'int'), 'liquidation_days': ('$.terms.liquidation_days', 'int'),
        'default_days': ('$.terms.default_days', 'int'), 'activated_at': ('$.activated_at', 'timestamp'),
        'activation_date': ('$.activation_date', 'date'), 'maturity_date': ('$.maturity_date', 'date'),
        'structuring_fee': ('$.structuring_fee', 'int'), 'custodian_id': ('$.custodian_id', 'text'),
        'wallet_id': ('$.wallet_id', 'text'), 'liquidation_id': ('$.liquidation_id', 'text'),
        'approval_process_id': ('$.approval_process_id', 'text'),
    },
    'credit_obligation': {
        'credit_facility_id': ('$.facility_id', 'text'), 'kind': ('$.kind', 'text'), 'amount': ('$.amount', 'int'),
        'outstanding': ('$.outstanding', 'int'), 'status': ('$.status', 'text'),
        'receivable_status': ('$.receivable_status', 'text'), 'reference': ('$.reference', 'text'),
        'effective_date': ('$.effective', 'date'), 'due_date': ('$.due_date', 'date'),
        'overdue_date': ('$.overdue_date', 'date'), 'liquidation_date': ('$.liquidation_date', 'date'),
        'default_date': ('$.default_date', 'date'), 'paid_date': ('$.paid_on', 'date'),
    },
    'credit_disbursal': {
        'credit_facility_id': ('$.facility_id', 'text'), 'amount': ('$.amount', 'int'), 'status': ('$.status', 'text'),
        'confirmed_date': ('$.confirmed_on', 'date'), 'obligation_id': ('$.obligation_id', 'text'),
        'approval_process_id': ('$.approval_process_id', 'text'),
    },
    'credit_payment': {
        'credit_facility_id': ('$.facility_id', 'text'), 'amount': ('$.amount', 'int'), 'source': ('$.source', 'text'),
        'effective_date': ('$.effective', 'date'),
    },
    'credit_liquidation': {
        'credit_facility_id': ('$.facility_id', 'text'), 'status': ('$.status', 'text'),
        'trigger_price_cents_per_btc': ('$.trigger_price_cents', 'int'), 'trigger_cvl': ('$.cvl', 'num'),
        'outstanding': ('$.outstanding', 'int'), 'expected_proceeds': ('$.expected_proceeds', 'int'),
        'sats_to_sell': ('$.sats_to_sell', 'int'), 'sats_sent': ('$.sats_sent', 'int'), 'proceeds': ('$.proceeds', 'int'),
    },
    'deposit': {
        'deposit_account_id': ('$.account_id', 'text'), 'amount': ('$.amount', 'int'), 'status': ('$.status', 'text'),
        'reference': ('$.reference', 'text'),
    },
    'withdrawal': {
        'deposit_account_id': ('$.account_id', 'text'), 'amount': ('$.amount', 'int'), 'status': ('$.status', 'text'),
        'reference': ('$.reference', 'text'), 'approval_process_id': ('$.approval_process_id', 'text'),
        'denial_reason': ('$.denial_reason', 'text'),
    },
} -%}
{{ return(fields[entity_type]) }}
{% endmacro %}

{%- macro typed(expression, type) -%}
{%- if type == 'int' -%}{{ try_cast(expression, dbt.type_bigint()) }}
{%- elif type == 'num' -%}{{ try_cast(expression, dbt.type_numeric()) }}
{%- elif type == 'date' -%}{{ try_cast(expression, 'date') }}
{%- elif type == 'timestamp' -%}{{ try_cast(expression, dbt.type_timestamp()) }}
{%- elif type == 'bool' -%}{{ try_cast(expression, dbt.type_boolean()) }}
{%- else -%}{{ expression }}{%- endif -%}
{%- endmacro %}

{#- The select list of an entity kind's typed columns, from a state column. -#}
{% macro entity_columns(entity_type, state='state') %}
{%- for name, spec in entity_fields(entity_type).items() %}
    {{ typed(json_text(state, spec[0]), spec[1]) }} as {{ name }}{{ ',' if not loop.last }}
{%- endfor %}
{% endmacro %}

{#- Current state of every entity of a kind: one row per entity. -#}
{% macro current_entities(entity_type, id_column) %}
select
    entity_id as {{ id_column }},
    version,
    created_at,
    updated_at,
    {{ entity_columns(entity_type) }}
from {{ ref('stg_core__entities') }}
where entity_type = '{{ entity_type }}'
{% endmacro %}

{#- Every state of every entity of a kind, each valid from its save until the next one. -#}
{% macro entity_history(entity_type, id_column) %}
select
    entity_id as {{ id_column }},
    version,
    valid_from,
    valid_to,
    is_current,
    {{ entity_columns(entity_type) }}
from {{ ref('int_entity_states') }}
where entity_type = '{{ entity_type }}'
{% endmacro %}
