"""Amazon Cognito user-pool triggers: user attributes, validation data, client metadata, challenge
answers and, for user migration, the user name and password typed by the user."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import PLAIN, Field, child, mapping, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

COGNITO = "cognito"
_REQUEST_PARTS = (
    "userAttributes",
    "validationData",
    "clientMetadata",
    "challengeAnswer",
    "privateChallengeParameters",
    "password",
    "codeParameter",
    "usernameParameter",
    # inbound federation (``InboundFederation_ExternalProvider``): what the external OIDC or SAML
    # provider says of the user (token response, ID token claims, user info, SAML attributes), whose
    # profile fields - names, e-mail - the user writes at that provider
    "attributes",
)


def identify(event: Mapping[str, Any]) -> str | None:
    return COGNITO if "triggerSource" in event and "userPoolId" in event else None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    yield (child(prefix, "userName"), event.get("userName"), PLAIN, record, "")
    request = mapping(event.get("request"))
    for part in _REQUEST_PARTS:
        yield from walk(child(child(prefix, "request"), part), request.get(part), record)
