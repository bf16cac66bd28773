-- The current state of every customer (see the core's aggregate for what each field means).
{{ current_entities('customer', 'customer_id') }}
