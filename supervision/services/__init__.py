"""Use cases: each function takes a session, does the work and leaves the commit to the caller."""


class ValidationError(Exception):
    """Input refused; ``errors`` maps a field name to a Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors

    def __reduce__(self):  # crosses from a child process (services/ledger_submit.py) intact
        return (type(self), (self.errors,))
