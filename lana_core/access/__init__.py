"""Access: users, roles, permission sets (RBAC with Casbin) and the audit log."""
