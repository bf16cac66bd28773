-- Every customer with what the bank holds for and lends to them at the warehouse's last day.
with deposits as (
    select
        accounts.customer_id,
        count(*) as deposit_accounts,
        sum(coalesce(balances.settled_balance, 0)) as deposit_balance
    from {{ ref('int_deposit_accounts') }} as accounts
    left join {{ ref('int_account_balances_current') }} as balances
        on balances.deposit_account_id = accounts.deposit_account_id and balances.currency = 'USD'
    group by accounts.customer_id
),

loans as (
    select
        customer_id,
        sum(case when status in ('active', 'matured') then 1 else 0 end) as open_facilities,
        sum(total_outstanding) as loans_outstanding,
        sum(principal_defaulted + interest_defaulted) as loans_defaulted
    from {{ ref('loan_portfolio') }}
    group by customer_id
)

select
    customers.customer_id,
    customers.customer_type,
    customers.status,
    customers.kyc_status,
    customers.kyc_level,
    customers.activity,
    customers.email,
    customers.first_name,
    customers.last_name,
    customers.company_name,
    customers.nationality,
    customers.created_at,
    coalesce(deposits.deposit_accounts, 0) as deposit_accounts,
    coalesce(deposits.deposit_balance, 0) as deposit_balance,
    coalesce(loans.open_facilities, 0) as open_facilities,
    coalesce(loans.loans_outstanding, 0) as loans_outstanding,
    coalesce(loans.loans_defaulted, 0) as loans_defaulted,
    'USD' as currency
from {{ ref('int_customers') }} as customers
left join deposits on deposits.customer_id = customers.customer_id
left join loans on loans.customer_id = customers.customer_id
