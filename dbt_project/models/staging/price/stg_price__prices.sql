-- A published bitcoin price, in cents per bitcoin.
select
    cast(id as {{ dbt.type_bigint() }}) as price_id,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as published_at,
    cast(price_cents_per_btc as {{ dbt.type_bigint() }}) as price_cents_per_btc
from {{ source('price', 'prices') }}
