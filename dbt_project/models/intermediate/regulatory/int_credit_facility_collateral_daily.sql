-- Each credit facility's bitcoin collateral at the end of every day, from the ledger (its
-- COLLATERAL account, sats): dense from the first posting to the warehouse's last day.
select
    {{ dbt.split_part('accounts.account_code', "'.'", 2) }} as credit_facility_id,
    balances.balance_date as as_of_date,
    cast(balances.settled_balance as {{ dbt.type_bigint() }}) as collateral_sats
from {{ ref('int_account_balances_daily') }} as balances
join {{ ref('stg_ledger__accounts') }} as accounts on accounts.account_id = balances.account_id
where accounts.account_code like 'CREDIT.%.COLLATERAL'
  and balances.currency = 'BTC'
