-- The current state of every deposit_account (see the core's aggregate for what each field means).
{{ current_entities('deposit_account', 'deposit_account_id') }}
