-- The current state of every credit_disbursal (see the core's aggregate for what each field means).
{{ current_entities('credit_disbursal', 'disbursal_id') }}
