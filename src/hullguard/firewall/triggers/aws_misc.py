"""Event sources whose attacker-reachable parts are small: CloudFormation custom resources, AWS Config
rules (JSON in strings), Secrets Manager rotation, CodePipeline jobs, Bedrock agents, Amazon Connect."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import ENVELOPE, PLAIN, Field, child, mapping, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

CFN = "cloudformation-custom-resource"
CONFIG = "config-rule"
SECRETS = "secrets-manager-rotation"
CODEPIPELINE = "codepipeline"
BEDROCK = "bedrock-agent"
CONNECT = "connect"


def identify(event: Mapping[str, Any]) -> str | None:
    if "RequestType" in event and "ResponseURL" in event and "StackId" in event:
        return CFN
    if "invokingEvent" in event and "configRuleName" in event:
        return CONFIG
    if "SecretId" in event and "ClientRequestToken" in event and "Step" in event:
        return SECRETS
    if "CodePipeline.job" in event:
        return CODEPIPELINE
    if "actionGroup" in event and "agent" in event:
        return BEDROCK
    if event.get("Name") == "ContactFlowEvent" and "Details" in event:
        return CONNECT
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == CFN:
        for name in ("ResourceProperties", "OldResourceProperties"):
            props = {k: v for k, v in mapping(event.get(name)).items() if k != "ServiceToken"}
            yield from walk(child(prefix, name), props, record)
    elif trigger == CONFIG:
        yield (child(prefix, "invokingEvent"), event.get("invokingEvent"), ENVELOPE, record, "")
        yield (child(prefix, "ruleParameters"), event.get("ruleParameters"), ENVELOPE, record, "")
    elif trigger == SECRETS:
        yield (child(prefix, "SecretId"), event.get("SecretId"), PLAIN, record, "")
        yield (child(prefix, "ClientRequestToken"), event.get("ClientRequestToken"), PLAIN, record, "")
    elif trigger == CODEPIPELINE:
        config = mapping(
            mapping(mapping(mapping(event.get("CodePipeline.job")).get("data")).get("actionConfiguration"))
        )
        params = mapping(config.get("configuration")).get("UserParameters")
        where = child(prefix, "CodePipeline.job.data.actionConfiguration.configuration.UserParameters")
        yield (where, params, ENVELOPE, record, "")
    elif trigger == BEDROCK:
        yield (child(prefix, "inputText"), event.get("inputText"), PLAIN, record, "")
        yield (child(prefix, "apiPath"), event.get("apiPath"), PLAIN, record, "")
        for i, param in enumerate(records(event.get("parameters"))):
            yield (f"{child(prefix, 'parameters')}[{i}].value", mapping(param).get("value"), PLAIN, record, "")
        yield from walk(child(prefix, "requestBody"), event.get("requestBody"), record)
        yield from walk(child(prefix, "sessionAttributes"), event.get("sessionAttributes"), record)
        yield from walk(child(prefix, "promptSessionAttributes"), event.get("promptSessionAttributes"), record)
    elif trigger == CONNECT:
        details = mapping(event.get("Details"))
        yield from walk(child(prefix, "Details.Parameters"), details.get("Parameters"), record)
        contact = mapping(details.get("ContactData"))
        yield from walk(child(prefix, "Details.ContactData.Attributes"), contact.get("Attributes"), record)
        endpoint = mapping(contact.get("CustomerEndpoint")).get("Address")
        yield (child(prefix, "Details.ContactData.CustomerEndpoint.Address"), endpoint, PLAIN, record, "")
