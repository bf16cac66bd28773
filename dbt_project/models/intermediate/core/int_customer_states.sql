-- Every state of every customer over time.
{{ entity_history('customer', 'customer_id') }}
