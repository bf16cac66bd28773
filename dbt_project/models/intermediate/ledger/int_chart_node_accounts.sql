-- Which ledger accounts roll up into each chart node: the closure of set membership (a set
-- contains accounts and other sets). An account reached by two paths counts once.
with recursive members as (
    select account_set_id, member_account_id, member_set_id from {{ ref('stg_ledger__account_set_members') }}
),

closure as (
    select members.account_set_id, members.member_account_id as account_id
    from members
    where members.member_account_id is not null
    union all
    select members.account_set_id, closure.account_id
    from members
    join closure on closure.account_set_id = members.member_set_id
)

select distinct
    nodes.node_code,
    closure.account_id
from closure
join {{ ref('int_chart_nodes') }} as nodes on nodes.account_set_id = closure.account_set_id
