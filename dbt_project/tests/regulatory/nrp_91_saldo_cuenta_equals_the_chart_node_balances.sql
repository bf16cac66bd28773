-- NRP-91 saldo_cuenta holds, for every day and every chart node, the node's settled USD balance
-- on its normal side in int_chart_node_balances_daily, to the cent; no node or day missing or extra.
with expected as (
    select
        balances.balance_date as as_of_date,
        right(replace(nodes.node_code, '.', ''), 10) as id_codigo_cuenta,
        case when nodes.normal_balance = 'debit' then balances.settled_dr_total - balances.settled_cr_total
             else balances.settled_cr_total - balances.settled_dr_total end as balance_cents
    from {{ ref('int_chart_node_balances_daily') }} as balances
    join {{ ref('int_chart_nodes') }} as nodes on nodes.node_code = balances.node_code
    where balances.currency = 'USD'
),

reported as (
    select
        as_of_date,
        id_codigo_cuenta,
        -- the text back to cents: whole dollars x 100 + the two decimals, sign apart
        (case when valor like '-%' then -1 else 1 end)
        * (cast({{ dbt.split_part("replace(valor, '-', '')", "'.'", 1) }} as {{ dbt.type_bigint() }}) * 100
           + cast({{ dbt.split_part('valor', "'.'", 2) }} as {{ dbt.type_bigint() }})) as balance_cents
    from {{ ref('report_nrp_91_saldo_cuenta') }}
)

select
    coalesce(expected.as_of_date, reported.as_of_date) as as_of_date,
    coalesce(expected.id_codigo_cuenta, reported.id_codigo_cuenta) as id_codigo_cuenta,
    expected.balance_cents as expected_cents,
    reported.balance_cents as reported_cents
from expected
full outer join reported
    on reported.as_of_date = expected.as_of_date and reported.id_codigo_cuenta = expected.id_codigo_cuenta
where expected.balance_cents is null or reported.balance_cents is null
   or expected.balance_cents <> reported.balance_cents
