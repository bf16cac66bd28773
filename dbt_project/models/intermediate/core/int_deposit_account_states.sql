-- Every state of every deposit_account over time.
{{ entity_history('deposit_account', 'deposit_account_id') }}
