"""Asset checks beyond dbt's tests: the data-quality gates (``quality``)."""
