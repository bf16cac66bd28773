-- The current state of every deposit (see the core's aggregate for what each field means).
{{ current_entities('deposit', 'deposit_id') }}
