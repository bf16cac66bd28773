-- The current state of every withdrawal (see the core's aggregate for what each field means).
{{ current_entities('withdrawal', 'withdrawal_id') }}
