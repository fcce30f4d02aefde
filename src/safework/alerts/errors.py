class TransportError(Exception):
    """A delivery failed. ``permanent`` says a retry cannot help (bad credentials, a
    rejected number); otherwise the outbox retries with backoff (healthchecks style)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class TransactionRequired(RuntimeError):
    """outbox.enqueue was called outside a transaction: the outbox row must commit or roll
    back together with the change that caused it."""
