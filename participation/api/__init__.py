"""What every JSON endpoint shares: the French error format, pagination, role permissions.

The error format and the pagination are set once in ``REST_FRAMEWORK`` (settings); the
schema hook documents both on every operation. docs/api.md describes them for users.
"""
