"""Reports: the files regulators and finance staff receive, made from the warehouse's marts.

- ``definitions``: how each report the core defines (``lana_core/report/definitions.yml``) reads
  its rows for an as-of date (``readers``: regulatory marts as they are, finance statements and
  the loan portfolio queried from the marts), and which regulator's schema its XML satisfies.
- ``content``: what a report holds once read: tables of rows (exact values, never floats) and charts.
- ``warehouse``: the port the rows are read through (DuckDB by default, BigQuery in production).
- ``writers``: CSV, XML (validated against the XSD), XLSX and PDF, byte for byte reproducible.
- ``storage``: where a run's files are published (a local folder, or a bucket), all or nothing.
- ``run``: one run of one report: read, write every output, publish with a manifest.
- ``execute``: a report run the core recorded (``ReportRun``), carried out and reported back.
"""
