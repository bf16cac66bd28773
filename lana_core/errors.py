"""The root of every error Lana reports to an operator.

A ``LanaError`` is an expected refusal (bad input, wrong state, missing permission): the CLI
prints its message as one line and exits non-zero. Anything else is a bug.
"""


class LanaError(Exception):
    """An operation was refused; the message says why in one line."""


class NotFound(LanaError):
    """The thing named does not exist."""


class InvalidInput(LanaError):
    """The input is malformed or violates a rule; nothing was changed."""
