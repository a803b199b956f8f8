"""boto3's resource models (``resources-1.json``): what ``table.put_item`` or ``bucket.objects.all()`` calls.

boto3 ships these JSON files for the services that have a resource API (S3, DynamoDB, SQS, SNS,
EC2, IAM, CloudFormation, CloudWatch, Glacier). They are read from the installed boto3 package;
without boto3 the resource API is simply not understood (client calls still are).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Request:
    """An API request a resource method makes: the operation and which identifiers fill which params."""

    operation: str
    params: tuple[tuple[str, str], ...] = ()  # (request param, identifier name)
    literal_params: tuple[tuple[str, str], ...] = ()  # (request param, constant string)


@dataclass(frozen=True, slots=True)
class Member:
    """What ``obj.<name>`` is on a resource: kind is action, batch, has, many, waiter, load."""

    kind: str
    request: Request | None = None
    resource_type: str | None = None  # for has/many/action returning a resource
    identifier_inputs: tuple[tuple[str, str], ...] = ()  # has: (target identifier, "input" or source name)


def _xform(name: str) -> str:
    from botocore import xform_name

    return str(xform_name(name))


@functools.cache
def _model(service: str) -> dict[str, Any] | None:
    try:
        base = resources.files("boto3") / "data" / service
    except ModuleNotFoundError:
        return None
    if not base.is_dir():
        return None
    versions = sorted(p.name for p in base.iterdir() if p.is_dir())
    if not versions:
        return None
    path = base / versions[-1] / "resources-1.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def has_resource_api(service: str) -> bool:
    return _model(service) is not None


def _request(spec: dict[str, Any] | None) -> Request | None:
    if not spec:
        return None
    params = tuple(
        (p["target"], p["name"]) for p in spec.get("params", []) if p.get("source") == "identifier"
    )
    literal = tuple(
        (p["target"], str(p["value"])) for p in spec.get("params", []) if p.get("source") == "string"
    )
    return Request(spec["operation"], params, literal)


def identifiers(service: str, resource_type: str) -> list[str]:
    """Identifier names of a resource type, in constructor order (``Object``: BucketName, Key)."""
    model = _model(service)
    if model is None:
        return []
    spec = model.get("resources", {}).get(resource_type, {})
    return [i["name"] for i in spec.get("identifiers", [])]


def member(service: str, resource_type: str | None, name: str) -> Member | None:
    """``resource_type`` None means the service resource itself (``boto3.resource('s3')``)."""
    model = _model(service)
    if model is None:
        return None
    spec = model.get("service", {}) if resource_type is None else model.get("resources", {}).get(resource_type)
    if not spec:
        return None
    for action_name, action in spec.get("actions", {}).items():
        if _xform(action_name) == name:
            target = (action.get("resource") or {}).get("type")
            return Member("action", _request(action.get("request")), target)
    for action_name, action in spec.get("batchActions", {}).items():
        if _xform(action_name) == name:
            return Member("batch", _request(action.get("request")))
    for sub_name, sub in spec.get("has", {}).items():
        if sub_name == name:
            res = sub.get("resource", {})
            inputs = tuple(
                (i["target"], "input" if i.get("source") == "input" else str(i.get("name", "")))
                for i in res.get("identifiers", [])
                if i.get("source") in ("input", "identifier")
            )
            return Member("has", None, res.get("type"), inputs)
    for many_name, many in spec.get("hasMany", {}).items():
        if _xform(many_name) == name:
            res = many.get("resource") or {}
            # item identifiers: copied from the parent ("identifier") or read from the response (run time)
            inputs = tuple((i["target"], str(i.get("name", "")) if i.get("source") == "identifier" else "response")
                           for i in res.get("identifiers", []))
            return Member("many", _request(many.get("request")), res.get("type"), inputs)
    for waiter_name, waiter in spec.get("waiters", {}).items():
        if f"wait_until_{_xform(waiter_name)}" == name:
            params = tuple(
                (p["target"], p["name"]) for p in waiter.get("params", []) if p.get("source") == "identifier"
            )
            return Member("waiter", Request(waiter["waiterName"], params))
    if resource_type is None and name in model.get("resources", {}):
        # boto3 gives the service resource a constructor for every resource type (s3.Object(b, k))
        names = identifiers(service, name)
        return Member("has", None, name, tuple((i, "input") for i in names))
    if name in ("load", "reload") and spec.get("load"):
        return Member("load", _request(spec["load"].get("request")))
    return None


def load_request(service: str, resource_type: str) -> Request | None:
    """The request that fills a resource's attributes (``obj.content_length`` -> HeadObject)."""
    model = _model(service)
    spec = (model or {}).get("resources", {}).get(resource_type, {})
    return _request((spec.get("load") or {}).get("request"))


def batch_member(service: str, resource_type: str, name: str) -> Member | None:
    """A batch action of a collection's items (``bucket.objects.filter(...).delete()`` -> DeleteObjects)."""
    model = _model(service)
    spec = (model or {}).get("resources", {}).get(resource_type, {})
    for action_name, action in spec.get("batchActions", {}).items():
        if _xform(action_name) == name:
            return Member("batch", _request(action.get("request")))
    return None


@functools.cache
def shape_attributes(service: str, resource_type: str) -> frozenset[str]:
    """Attributes of a resource filled by its load request (``obj.content_length``, ``table.item_count``)."""
    model = _model(service)
    spec = (model or {}).get("resources", {}).get(resource_type, {})
    shape = spec.get("shape")
    if not shape or not spec.get("load"):
        return frozenset()
    try:
        from hullguard.iam.operations import catalog

        members = catalog().model(service).shape_for(shape).members
    except Exception:  # a shape botocore does not know: no attribute loads
        return frozenset()
    return frozenset(_xform(m) for m in members)
