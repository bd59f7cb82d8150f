"""What a refused write raises: the message is for the user, the status for the HTTP answer."""


class ActionRefused(Exception):
    """A write that cannot be done as asked. `message` is for the user; `status` is the HTTP answer."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        # In a batch (services/bulk.py): the items refused, each as (index from 0, reason).
        self.items: list[tuple[int, str]] = []


class Forbidden(ActionRefused):
    status = 403


class Conflict(ActionRefused):
    status = 409
