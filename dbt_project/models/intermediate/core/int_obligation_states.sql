-- Every state of every credit_obligation over time.
{{ entity_history('credit_obligation', 'obligation_id') }}
