-- Every account's balance at the end of every day, per currency: dense from the account's first
-- movement to the warehouse's last day (a day without movement carries the balance forward).
-- *_total: cumulative debits / credits through the day; balance: on the account's normal side;
-- movements_xact_id: the highest xact_id among the account's movements through the day (what
-- the next incremental build compares new movements with).
--
-- Incremental: a build rewrites, per account and currency, the days from the earliest one its
-- new movements changed (or, for an account without new movements, the new days only),
-- starting from the totals the table holds for the day before.
{{ config(
    materialized='incremental',
    unique_key=['account_id', 'currency', 'balance_date'],
    incremental_strategy=upsert_strategy(),
) }}

with movements as (
    select * from {{ ref('int_account_movements_daily') }}
),

dates as (
    select date_day from {{ ref('int_ledger_dates') }}
),

{% if is_incremental() %}
built as (
    select max(balance_date) as last_date, max(movements_xact_id) as movements_xact_id from {{ this }}
),

changed as (
    select account_id, currency, min(effective_date) as from_date
    from movements
    where last_xact_id > (select movements_xact_id from built)
    group by account_id, currency
),

known as (
    select distinct account_id, currency from {{ this }}
),

starts as (
    select
        coalesce(known.account_id, changed.account_id) as account_id,
        coalesce(known.currency, changed.currency) as currency,
        case when known.account_id is null then changed.from_date
             when changed.from_date is null then {{ add_days('(select last_date from built)', 1) }}
             else least(changed.from_date, {{ add_days('(select last_date from built)', 1) }})
        end as from_date
    from known
    full outer join changed on changed.account_id = known.account_id and changed.currency = known.currency
),

bases as (
    select
        starts.account_id,
        starts.currency,
        starts.from_date,
        coalesce(before.settled_dr_total, 0) as settled_dr_base,
        coalesce(before.settled_cr_total, 0) as settled_cr_base,
        coalesce(before.pending_dr_total, 0) as pending_dr_base,
        coalesce(before.pending_cr_total, 0) as pending_cr_base,
        coalesce(before.movements_xact_id, -1) as xact_id_base
    from starts
    left join {{ this }} as before
        on before.account_id = starts.account_id
        and before.currency = starts.currency
        and before.balance_date = {{ add_days('starts.from_date', -1) }}
),
{% else %}
bases as (
    select account_id, currency, min(effective_date) as from_date,
           0 as settled_dr_base, 0 as settled_cr_base, 0 as pending_dr_base, 0 as pending_cr_base,
           -1 as xact_id_base
    from movements
    group by account_id, currency
),
{% endif %}

grid as (
    select bases.*, dates.date_day
    from bases
    join dates on dates.date_day >= bases.from_date
),

days as (
    select
        grid.account_id,
        grid.currency,
        grid.date_day as balance_date,
        grid.settled_dr_base, grid.settled_cr_base, grid.pending_dr_base, grid.pending_cr_base, grid.xact_id_base,
        coalesce(movements.last_xact_id, -1) as last_xact_id,
        coalesce(movements.settled_dr, 0) as settled_dr,
        coalesce(movements.settled_cr, 0) as settled_cr,
        coalesce(movements.pending_dr, 0) as pending_dr,
        coalesce(movements.pending_cr, 0) as pending_cr
    from grid
    left join movements
        on movements.account_id = grid.account_id
        and movements.currency = grid.currency
        and movements.effective_date = grid.date_day
),

totals as (
    select
        account_id, currency, balance_date, settled_dr, settled_cr, pending_dr, pending_cr,
        settled_dr_base + sum(settled_dr) over running as settled_dr_total,
        settled_cr_base + sum(settled_cr) over running as settled_cr_total,
        pending_dr_base + sum(pending_dr) over running as pending_dr_total,
        pending_cr_base + sum(pending_cr) over running as pending_cr_total,
        greatest(xact_id_base, max(last_xact_id) over running) as movements_xact_id
    from days
    window running as (partition by account_id, currency order by balance_date rows between unbounded preceding and current row)
)

select
    totals.*,
    case when accounts.normal_balance = 'debit' then settled_dr_total - settled_cr_total
         else settled_cr_total - settled_dr_total end as settled_balance,
    case when accounts.normal_balance = 'debit' then pending_dr_total - pending_cr_total
         else pending_cr_total - pending_dr_total end as pending_balance
from totals
join {{ ref('stg_ledger__accounts') }} as accounts on accounts.account_id = totals.account_id
