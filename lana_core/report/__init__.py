"""Reports: what reports exist (definitions) and each request to produce one (report runs)."""
