-- Every month, currency and layer: the top-level nodes' debits equal their credits (every
-- transaction balances per currency and layer, and every account sits in the chart).
select period_start, currency, layer, sum(debits) as debits, sum(credits) as credits
from {{ ref('trial_balance') }}
where depth = 0
group by period_start, currency, layer
having sum(debits) <> sum(credits)
