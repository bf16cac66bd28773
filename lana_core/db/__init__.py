"""PostgreSQL plumbing: the embedded server, versioned migrations, connections, unit of work."""

from lana_core.db.database import Database, UnitOfWork, resolve_database_url

__all__ = ["Database", "UnitOfWork", "resolve_database_url"]
