-- Every state of every credit_facility over time.
{{ entity_history('credit_facility', 'credit_facility_id') }}
