"""The ``lana`` command-line tool."""
