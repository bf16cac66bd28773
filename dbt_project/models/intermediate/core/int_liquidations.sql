-- The current state of every credit_liquidation (see the core's aggregate for what each field means).
{{ current_entities('credit_liquidation', 'liquidation_id') }}
