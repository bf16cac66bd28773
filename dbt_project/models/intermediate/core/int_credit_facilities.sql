-- The current state of every credit_facility (see the core's aggregate for what each field means).
{{ current_entities('credit_facility', 'credit_facility_id') }}
