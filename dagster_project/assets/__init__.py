"""The data platform's assets: ``raw`` (the EL), ``dbt`` (the models), ``reports`` (the files)."""
