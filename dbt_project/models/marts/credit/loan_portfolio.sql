-- Every credit facility past its proposal, as the warehouse's last day sees it: what is owed,
-- by obligation status, from the ledger (cents); the collateral (sats) and its value at the
-- last published price; the CVL (collateral value over outstanding, in percent, truncated as
-- the core does); the collateralization state; the days past due of its oldest unpaid
-- obligation that is due.
with as_of as (
    select max(date_day) as as_of_date from {{ ref('int_ledger_dates') }}
),

price as (
    select price_cents_per_btc from {{ ref('stg_price__prices') }}
    order by published_at desc, price_id desc
    limit 1
),

balances as (
    select
        credit_facility_id,
        sum(case when credit_role = 'DISBURSED_NOT_YET_DUE' then settled_balance else 0 end) as principal_not_yet_due,
        sum(case when credit_role = 'DISBURSED_DUE' then settled_balance else 0 end) as principal_due,
        sum(case when credit_role = 'DISBURSED_OVERDUE' then settled_balance else 0 end) as principal_overdue,
        sum(case when credit_role = 'DISBURSED_DEFAULTED' then settled_balance else 0 end) as principal_defaulted,
        sum(case when credit_role = 'INTEREST_NOT_YET_DUE' then settled_balance else 0 end) as interest_not_yet_due,
        sum(case when credit_role = 'INTEREST_DUE' then settled_balance else 0 end) as interest_due,
        sum(case when credit_role = 'INTEREST_OVERDUE' then settled_balance else 0 end) as interest_overdue,
        sum(case when credit_role = 'INTEREST_DEFAULTED' then settled_balance else 0 end) as interest_defaulted,
        sum(case when credit_role = 'INTEREST_NOT_YET_DUE' then pending_balance else 0 end) as interest_accrued_unbilled,
        sum(case when credit_role = 'FACILITY' then settled_balance else 0 end) as undrawn,
        sum(case when credit_role = 'COLLATERAL' and currency = 'BTC' then settled_balance else 0 end) as collateral_sats
    from {{ ref('int_account_balances_current') }}
    where credit_facility_id is not null
    group by credit_facility_id
),

overdue as (
    select
        obligations.credit_facility_id,
        max({{ days_from('obligations.due_date', '(select as_of_date from as_of)') }}) as days_past_due
    from {{ ref('int_obligations') }} as obligations
    where obligations.status in ('due', 'overdue', 'liquidation', 'defaulted')
    group by obligations.credit_facility_id
),

facilities as (
    select
        facilities.*,
        coalesce(balances.principal_not_yet_due, 0) as principal_not_yet_due,
        coalesce(balances.principal_due, 0) as principal_due,
        coalesce(balances.principal_overdue, 0) as principal_overdue,
        coalesce(balances.principal_defaulted, 0) as principal_defaulted,
        coalesce(balances.interest_not_yet_due, 0) as interest_not_yet_due,
        coalesce(balances.interest_due, 0) as interest_due,
        coalesce(balances.interest_overdue, 0) as interest_overdue,
        coalesce(balances.interest_defaulted, 0) as interest_defaulted,
        coalesce(balances.interest_accrued_unbilled, 0) as interest_accrued_unbilled,
        coalesce(balances.undrawn, 0) as undrawn,
        coalesce(balances.collateral_sats, 0) as ledger_collateral_sats,
        coalesce(overdue.days_past_due, 0) as days_past_due
    from {{ ref('int_credit_facilities') }} as facilities
    left join balances on balances.credit_facility_id = facilities.credit_facility_id
    left join overdue on overdue.credit_facility_id = facilities.credit_facility_id
    where facilities.status in ('pending_collateralization', 'active', 'matured', 'closed')
),

valued as (
    select
        facilities.*,
        principal_not_yet_due + principal_due + principal_overdue as principal_outstanding,
        interest_not_yet_due + interest_due + interest_overdue as interest_outstanding,
        principal_not_yet_due + principal_due + principal_overdue
            + interest_not_yet_due + interest_due + interest_overdue as total_outstanding,
        price.price_cents_per_btc,
        {{ int_div('ledger_collateral_sats * price.price_cents_per_btc', var('sats_per_bitcoin')) }} as collateral_value_cents
    from facilities
    cross join price
)

select
    (select as_of_date from as_of) as as_of_date,
    credit_facility_id,
    customer_id,
    customer_type,
    deposit_account_id,
    status,
    collateralization_state,
    amount,
    'USD' as currency,
    annual_rate,
    duration_months,
    duration_months > 12 as is_long_term,
    disbursal_policy,
    initial_cvl,
    margin_call_cvl,
    liquidation_cvl,
    activation_date,
    maturity_date,
    structuring_fee,
    undrawn,
    principal_not_yet_due,
    principal_due,
    principal_overdue,
    principal_defaulted,
    principal_outstanding,
    interest_not_yet_due,
    interest_due,
    interest_overdue,
    interest_defaulted,
    interest_outstanding,
    interest_accrued_unbilled,
    total_outstanding,
    ledger_collateral_sats as collateral_sats,
    price_cents_per_btc,
    collateral_value_cents,
    case when total_outstanding > 0 then {{ int_div('collateral_value_cents * 100', 'total_outstanding') }} end as cvl_percent,
    days_past_due,
    custodian_id is not null as is_custodial
from valued
