-- UIF-07 diario otros medios electrónicos: every deposit recorded and every withdrawal paid out
-- of 25,000.00 USD or more, on the day it happened (its as-of date), unless it was reverted the
-- same day. Persona A is our customer, the account holder; persona B, the counterparty outside
-- the bank, is not known to the core (NULL). PO (ordering side) is the customer's account for a
-- withdrawal, PB (receiving side) for a deposit. Amounts in dollars, two decimals.
{%- set threshold_cents = 2500000 %}
{%- set account_class = 'DEPOSITO A LA VISTA' %}
with status_dates as (
    select
        entity_id,
        min(case when {{ json_text('state', '$.status') }} = 'confirmed' then cast(valid_from as date) end) as confirmed_date,
        min(case when {{ json_text('state', '$.status') }} = 'reverted' then cast(valid_from as date) end) as reverted_date
    from {{ ref('int_entity_states') }}
    where entity_type in ('deposit', 'withdrawal')
    group by entity_id
),

movements as (
    select 'deposit' as kind, deposit_id as movement_id, deposit_account_id, amount from {{ ref('int_deposits') }}
    union all
    select 'withdrawal' as kind, withdrawal_id as movement_id, deposit_account_id, amount from {{ ref('int_withdrawals') }}
),

reportable as (
    select movements.*, status_dates.confirmed_date as as_of_date, accounts.customer_id, accounts.reference as account_reference
    from movements
    join status_dates on status_dates.entity_id = movements.movement_id
    join {{ ref('int_deposit_accounts') }} as accounts on accounts.deposit_account_id = movements.deposit_account_id
    where movements.amount >= {{ threshold_cents }}
      and status_dates.confirmed_date is not null
      and (status_dates.reverted_date is null or status_dates.reverted_date > status_dates.confirmed_date)
),

with_customer as (
    select *
    from (
        select
            reportable.*,
            states.customer_type,
            states.first_name,
            states.last_name,
            states.company_name,
            states.nationality,
            row_number() over (partition by reportable.movement_id order by states.version desc) as latest_first
        from reportable
        join {{ ref('int_customer_states') }} as states
            on states.customer_id = reportable.customer_id
            and cast(states.valid_from as date) <= reportable.as_of_date
    ) as versions
    where latest_first = 1
)

select
    as_of_date,
    movement_id as numeroregistrobancario,
    '{{ var("bank_branch", "Casa matriz") }}' as estacionservicio,
    {{ date_text('as_of_date') }} as fechatransaccion,
    case when customer_type = 'individual' then '1' else '2' end as tipopersonaa,
    cast(null as {{ dbt.type_string() }}) as tipopersonab,
    {{ json_object_text([
        ('apellidos', "case when customer_type = 'individual' then last_name end"),
        ('nacionalidad', 'nationality'),
        ('nombres', "case when customer_type = 'individual' then first_name end"),
        ('numeroDocumento', debtor_document('customer_id')),
        ('razonSocial', "case when customer_type <> 'individual' then company_name end"),
    ]) }} as detallespersonaa,
    cast(null as {{ dbt.type_string() }}) as detallespersonab,
    case when kind = 'withdrawal' then account_reference end as numerocuentapo,
    case when kind = 'withdrawal' then '{{ account_class }}' end as clasecuentapo,
    case when kind = 'deposit' then 'DEPOSITO' else 'RETIRO' end as conceptotransaccionpo,
    {{ minor_units_text('amount') }} as valorotrosmedioselectronicospo,
    case when kind = 'deposit' then account_reference end as numeroproductopb,
    case when kind = 'deposit' then '{{ account_class }}' end as clasecuentapb,
    {{ minor_units_text('amount') }} as montotransaccionpb,
    {{ minor_units_text('amount') }} as valormedioelectronicopb,
    case when kind = 'deposit' then '{{ var("bank_name", "Lana Bank") }}' end as bancocuentadestinatariapb
from with_customer
