-- The current state of every credit_obligation (see the core's aggregate for what each field means).
{{ current_entities('credit_obligation', 'obligation_id') }}
