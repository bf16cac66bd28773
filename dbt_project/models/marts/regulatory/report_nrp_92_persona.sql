-- NRP-92 (SSF central de riesgos) 01 persona: one row per debtor (a customer with at least one
-- credit reference owing on the as-of date), for every day of the warehouse. The columns are the
-- elements of ssf_ctri_persona.xsd, in its order, as the text the schema takes; NULL where the
-- core records no such fact (the element is nillable). The customer as they were on the day
-- (their last saved state by its end).
with debtors as (
    select
        customer_id,
        as_of_date,
        sum(reserve) as reserve,
        sum(total_outstanding) as total_outstanding,
        max(category_rank) as category_rank
    from {{ ref('int_credit_reference_risk_daily') }}
    group by customer_id, as_of_date
),

customer_on_day as (
    select *
    from (
        select
            debtors.*,
            states.customer_type,
            states.first_name,
            states.last_name,
            states.company_name,
            states.nationality,
            states.date_of_birth,
            row_number() over (partition by debtors.customer_id, debtors.as_of_date order by states.version desc) as latest_first
        from debtors
        join {{ ref('int_customer_states') }} as states
            on states.customer_id = debtors.customer_id
            and cast(states.valid_from as date) <= debtors.as_of_date
    ) as versions
    where latest_first = 1
),

named as (
    select
        customer_on_day.*,
        customer_type = 'individual' as is_person,
        -- Non-domiciled companies and foreign agencies are, by what they are, not resident here.
        customer_type not in ('non_domiciled_company', 'foreign_agency_or_subsidiary') as is_resident,
        trim(last_name) as last_names,
        trim(first_name) as first_names
    from customer_on_day
)

select
    named.as_of_date,
    {{ debtor_document('named.customer_id') }} as numero_documento,
    case when named.is_person then 'U' else 'N' end as tipo_identificador,
    case when named.is_person then left({{ dbt.split_part('named.last_names', "' '", 1) }}, 25) end as primer_apellido,
    case when named.is_person and strpos(named.last_names, ' ') > 0
         then left(trim(substr(named.last_names, strpos(named.last_names, ' ') + 1)), 25) end as segundo_apellido,
    cast(null as {{ dbt.type_string() }}) as apellido_casada,
    case when named.is_person then left({{ dbt.split_part('named.first_names', "' '", 1) }}, 25) end as primer_nombre,
    case when named.is_person and strpos(named.first_names, ' ') > 0
         then left(trim(substr(named.first_names, strpos(named.first_names, ' ') + 1)), 25) end as segundo_nombre,
    case when not named.is_person then left(trim(named.company_name), 100) end as nombre_sociedad,
    case when named.is_person then '1' else '2' end as tipo_persona,
    '0' as tipo_relacion,
    case when named.is_resident then 'S' else 'N' end as residente,
    cast(null as {{ dbt.type_string() }}) as giro_persona,
    cast(null as {{ dbt.type_string() }}) as tamano_empresa,
    case when named.is_person then null when named.is_resident then 'N' else 'E' end as tipo_empresa,
    {{ minor_units_text('named.reserve') }} as reserva,
    categories.risk_category as categoria_riesgo,
    {{ debtor_document('named.customer_id') }} as numero_cliente,
    cast(null as {{ dbt.type_string() }}) as id_alterno,
    cast(null as {{ dbt.type_string() }}) as tipo_id_alterno,
    {{ date_text('named.date_of_birth') }} as fecha_nacimiento,
    case when named.is_resident then 222 else countries.numeric_code end as pais_residencia,
    {{ minor_units_text('named.total_outstanding') }} as riesgo_consolidado,
    cast(null as {{ dbt.type_string() }}) as sexo_persona,
    cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('ocupación') }},
    cast(null as {{ dbt.type_string() }}) as id_pais_origen,
    countries.numeric_code as nacionalidad,
    cast(null as {{ dbt.type_string() }}) as distrito_residencia,
    cast(null as {{ dbt.type_string() }}) as documento_anterior
from named
join {{ ref('ncb_022_risk_categories') }} as categories on categories.category_rank = named.category_rank
left join {{ ref('iso_country_codes') }} as countries on countries.alpha2_code = named.nationality
