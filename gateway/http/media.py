"""The media type of an answer (GraphQL over HTTP): `application/json`, or `application/graphql-response+json`
when the client asks for it.

With `application/graphql-response+json` the status tells whether the request was run: a document that does
not parse or validate, or variables that do not fit it, are answered 400 without `data`; an answer with data
(field errors included) is 200. With `application/json`, the default, such errors are answered 200 with
`"data": null`, as clients written before the spec expect.
"""

from __future__ import annotations

from starlette.requests import Request

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def wants_graphql_response(request: Request) -> bool:
    """Whether `Accept` prefers `application/graphql-response+json` (at least as much as `application/json`)."""
    accept = request.headers.get("accept", "")
    if GRAPHQL_RESPONSE not in accept:
        return False
    weights = _weights(accept)
    return weights.get(GRAPHQL_RESPONSE, 0.0) > 0 and weights[GRAPHQL_RESPONSE] >= weights.get(JSON, 0.0)


def _weights(accept: str) -> dict[str, float]:
    """Each media range of an `Accept` header with its quality (`q`, 1 when not given)."""
    weights: dict[str, float] = {}
    for media_range in accept.split(","):
        name, *parameters = (part.strip() for part in media_range.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[name.lower()] = max(quality, weights.get(name.lower(), 0.0))
    return weights
