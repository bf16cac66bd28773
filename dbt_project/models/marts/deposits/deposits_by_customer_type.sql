-- Deposit accounts by the holder's customer type and the account's status: how many, and what
-- they hold at the warehouse's last day (available and frozen, cents).
with balances as (
    select
        deposit_account_id,
        sum(case when not is_frozen_deposit then settled_balance else 0 end) as available,
        sum(case when is_frozen_deposit then settled_balance else 0 end) as frozen
    from {{ ref('int_account_balances_current') }}
    where deposit_account_id is not null and currency = 'USD'
    group by deposit_account_id
)

select
    (select max(date_day) from {{ ref('int_ledger_dates') }}) as as_of_date,
    accounts.customer_type,
    accounts.status as account_status,
    count(*) as accounts,
    sum(coalesce(balances.available, 0)) as available_balance,
    sum(coalesce(balances.frozen, 0)) as frozen_balance,
    sum(coalesce(balances.available, 0) + coalesce(balances.frozen, 0)) as total_balance,
    'USD' as currency
from {{ ref('int_deposit_accounts') }} as accounts
left join balances on balances.deposit_account_id = accounts.deposit_account_id
group by accounts.customer_type, accounts.status
