"""How each report reads its rows for an as-of date: ``regulatory`` (the rows of a mart made for
the regulator) and ``finance`` (statements and the loan portfolio, queried from the marts)."""
