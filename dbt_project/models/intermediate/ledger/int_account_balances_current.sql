-- Every account's balance at the warehouse's last day, per currency, with what the account
-- is: for credit facilities' accounts (CREDIT.<facility>.<ROLE>) the facility and the role;
-- for deposit accounts (DEPOSIT.<account> and DEPOSIT.FROZEN.<account>) the deposit account.
with latest as (
    select balances.*
    from {{ ref('int_account_balances_daily') }} as balances
    where balances.balance_date = (select max(date_day) from {{ ref('int_ledger_dates') }})
)

select
    accounts.account_id,
    accounts.account_code,
    accounts.normal_balance,
    latest.currency,
    latest.settled_balance,
    latest.pending_balance,
    case when accounts.account_code like 'CREDIT.%.%'
         then {{ dbt.split_part("accounts.account_code", "'.'", 2) }} end as credit_facility_id,
    case when accounts.account_code like 'CREDIT.%.%'
         then {{ dbt.split_part("accounts.account_code", "'.'", 3) }} end as credit_role,
    case when accounts.account_code like 'DEPOSIT.FROZEN.%' then {{ dbt.split_part("accounts.account_code", "'.'", 3) }}
         when accounts.account_code like 'DEPOSIT.%' and accounts.account_code <> 'DEPOSIT.OMNIBUS'
         then {{ dbt.split_part("accounts.account_code", "'.'", 2) }} end as deposit_account_id,
    accounts.account_code like 'DEPOSIT.FROZEN.%' as is_frozen_deposit
from latest
join {{ ref('stg_ledger__accounts') }} as accounts on accounts.account_id = latest.account_id
