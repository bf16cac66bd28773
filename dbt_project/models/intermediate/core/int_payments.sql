-- The current state of every credit_payment (see the core's aggregate for what each field means).
{{ current_entities('credit_payment', 'payment_id') }}
