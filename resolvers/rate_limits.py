"""Where the request's key stands in its cost budget (`rateLimit`)."""

from __future__ import annotations

import datetime

from resolvers.context import Context, ThrottleStatus


def rate_limit(context: Context) -> tuple[ThrottleStatus, datetime.datetime]:
    """The key's bucket once this request's requested cost was taken from it (a request asking only for
    `rateLimit` costs nothing), and when it is full again."""
    status = context.throttle_status
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)  # to the second, as `t` of the header
    return status, now + datetime.timedelta(seconds=status.seconds_to_full)
