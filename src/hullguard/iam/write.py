"""``gen-roles --write``: put the generated policies into the templates, keeping comments and layout.

- Serverless Framework: per-function ``iamRoleStatements`` (and the
  ``serverless-iam-roles-per-function`` plugin) when the service has several functions,
  ``provider.iam.role.statements`` when it has one.
- SAM: the function's ``Policies`` become one inline policy document (a ``Role`` property, which
  would make SAM ignore ``Policies``, is removed).
- CloudFormation: a ``<Function>Role`` ``AWS::IAM::Role`` per function, and the function's ``Role``
  pointed at it.
- Terraform: HCL is not rewritten; ``<function>_least_privilege.tf.json`` is written beside it with
  an ``aws_iam_policy_document`` per function to reference from the role policy.

YAML is edited with ruamel.yaml's round-trip mode, with the indentation the file already uses, so
everything the change does not touch stays byte-identical. JSON templates are rewritten with
two-space indentation.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from hullguard.iam.formats import LAMBDA_TRUST, role_logical_id, terraform_document, terraform_name
from hullguard.iam.generate import FunctionPolicy

_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 2, 0), (4, 6, 4))
_PIECE = re.compile(r"\$\{([^}]+)\}")


def _yaml_for(text: str) -> tuple[Any, Any]:
    """A round-trip YAML instance using the indentation that reproduces ``text``, and the data."""
    from ruamel.yaml import YAML

    best: tuple[Any, Any] | None = None
    for mapping, sequence, offset in _INDENTS:
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        data = yaml.load(text)
        stream = io.StringIO()
        yaml.dump(data, stream)
        if stream.getvalue() == text:
            return yaml, data
        best = best or (yaml, data)
    assert best is not None
    return best


def _sub_tagged(value: str) -> Any:
    from ruamel.yaml.comments import TaggedScalar

    return TaggedScalar(value=value, style=None, tag="!Sub") if "${" in value else value


def join_form(value: str) -> Any:
    """``arn:${AWS::Region}:...${Table}`` as ``Fn::Join`` of ``Ref``/``Fn::GetAtt`` pieces.

    The Serverless Framework reads ``${...}`` as its own variables, so resources written into
    serverless.yml must not use ``Fn::Sub`` placeholders.
    """
    if "${" not in value:
        return value
    parts: list[Any] = []
    position = 0
    for match in _PIECE.finditer(value):
        if match.start() > position:
            parts.append(value[position:match.start()])
        name = match.group(1)
        if "." in name and not name.startswith("AWS::"):
            target, attr = name.split(".", 1)
            parts.append({"Fn::GetAtt": [target, attr]})
        else:
            parts.append({"Ref": name})
        position = match.end()
    if position < len(value):
        parts.append(value[position:])
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    flow = CommentedSeq(parts)
    flow.fa.set_flow_style()  # one line per ARN; strings quoted so ":table/x" stays a plain string
    for index, part in enumerate(parts):
        if isinstance(part, dict):
            inner = CommentedMap(part)
            inner.fa.set_flow_style()
            flow[index] = inner
        else:
            flow[index] = SingleQuotedScalarString(part)
    return {"Fn::Join": ["", flow]}


def _statements(policy: FunctionPolicy, resource: Any) -> list[dict[str, Any]]:
    return [{**({"Sid": s["Sid"]} if "Sid" in s else {}), "Effect": s["Effect"], "Action": s["Action"],
             "Resource": [resource(r) for r in s["Resource"]]} for s in policy.statements()]


def write_policies(policies: list[FunctionPolicy]) -> list[str]:
    """Apply every policy to its template; returns one message per file written or skipped."""
    by_template: dict[tuple[str, str], list[FunctionPolicy]] = defaultdict(list)
    for policy in policies:
        if policy.app is None:
            continue
        by_template[(policy.app.root, policy.app.template)].append(policy)
    messages: list[str] = []
    for (root, template), group in by_template.items():
        app = group[0].app
        assert app is not None
        path = Path(root) / template if template else Path(root)
        try:
            if app.format == "terraform":
                messages.append(_write_terraform(path, group))
            elif app.format == "serverless":
                messages.append(_write_yaml(path, group, _apply_serverless))
            elif app.format in ("sam", "cloudformation"):
                messages.append(_write_yaml(path, group, _apply_cloudformation))
            else:
                messages.append(f"{template}: format {app.format} cannot be written; use --format")
        except (OSError, ValueError) as exc:
            messages.append(f"error: {template}: not written: {exc}")
    return messages


def _write_yaml(path: Path, group: list[FunctionPolicy], apply: Any) -> str:
    text = path.read_text(encoding="utf-8")
    skipped: list[str] = []
    if path.suffix == ".json":
        data = json.loads(text)
        apply(data, group, True, skipped)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    else:
        yaml, data = _yaml_for(text)
        apply(data, group, False, skipped)
        stream = io.StringIO()
        yaml.dump(data, stream)
        path.write_text(stream.getvalue(), encoding="utf-8")
    written = len(group) - sum(1 for s in skipped if "not changed" in s)
    message = f"wrote least-privilege roles of {written} function(s) to {path.name}"
    return message + "".join(f"; {s}" for s in skipped)


def _apply_serverless(data: Any, group: list[FunctionPolicy], plain: bool, skipped: list[str]) -> None:
    functions = data.get("functions") or {}
    provider = data.get("provider") or {}
    iam = provider.get("iam") if isinstance(provider, dict) else None
    if len(functions) == 1:
        role = iam.get("role") if isinstance(iam, dict) else provider.get("role")
        if isinstance(role, str) or (isinstance(role, dict) and ("Fn::GetAtt" in role or "Ref" in role)):
            skipped.append(f"{group[0].logical_id} uses the role {role!s}, defined outside the framework: not changed")
            return
        provider = data.setdefault("provider", {})
        iam = provider.setdefault("iam", {})
        role_body = iam.setdefault("role", {})
        role_body["statements"] = _statements(group[0], join_form)
        if role_body.pop("managedPolicies", None) is not None:
            skipped.append("provider.iam.role.managedPolicies removed (the statements cover what the code needs)")
        provider.pop("iamRoleStatements", None)
        provider.pop("iamManagedPolicies", None)
        return
    changed = False
    for policy in group:
        body = functions.get(policy.logical_id)
        if not isinstance(body, dict):
            continue
        if body.get("role") is not None:  # the plugin refuses statements on a function with its own role
            skipped.append(f"{policy.logical_id} has its own role ({body.get('role')!s}): not changed")
            continue
        body["iamRoleStatements"] = _statements(policy, join_form)
        changed = True
    if not changed:
        return
    plugins = data.get("plugins")
    if plugins is None:
        data["plugins"] = ["serverless-iam-roles-per-function"]
    elif isinstance(plugins, list) and "serverless-iam-roles-per-function" not in plugins:
        plugins.append("serverless-iam-roles-per-function")
    elif isinstance(plugins, dict) and isinstance(plugins.get("modules"), list) \
            and "serverless-iam-roles-per-function" not in plugins["modules"]:
        plugins["modules"].append("serverless-iam-roles-per-function")


def _apply_cloudformation(data: Any, group: list[FunctionPolicy], plain: bool, skipped: list[str]) -> None:
    resources = data.get("Resources") or {}

    def resource(value: str) -> Any:
        if "${" not in value:
            return value
        return {"Fn::Sub": value} if plain else _sub_tagged(value)

    # who uses which role, before any change: a role shared by several functions is never rewritten
    users: dict[str | None, int] = {}
    for other in resources.values():
        if isinstance(other, dict):
            target = _role_target((other.get("Properties") or {}).get("Role"))
            users[target] = users.get(target, 0) + 1

    for policy in group:
        body = resources.get(policy.logical_id)
        if not isinstance(body, dict):
            continue
        props = body.setdefault("Properties", {})
        statements = _statements(policy, resource)
        if body.get("Type") == "AWS::Serverless::Function":
            props.pop("Role", None)
            props["Policies"] = [{"Statement": statements}]
            continue
        document = {"PolicyName": f"{policy.logical_id}-least-privilege",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
        current = _role_target(props.get("Role"))
        existing = resources.get(current) if current else None
        if isinstance(existing, dict) and existing.get("Type") == "AWS::IAM::Role" and users.get(current) == 1:
            # the function's own role: keep its trust policy, name, path and boundary; replace what it grants
            role_props = existing.setdefault("Properties", {})
            role_props["Policies"] = [document]
            role_props.pop("ManagedPolicyArns", None)
            continue
        role_id = role_logical_id(policy)
        while role_id in resources:  # never overwrite another resource, or a role other functions share
            role_id = f"{role_id}LeastPrivilege" if not role_id.endswith("LeastPrivilege") else f"{role_id}2"
        resources[role_id] = {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": json.loads(json.dumps(LAMBDA_TRUST)), "Policies": [document]},
        }
        if plain:
            props["Role"] = {"Fn::GetAtt": [role_id, "Arn"]}
        else:
            from ruamel.yaml.comments import TaggedScalar

            props["Role"] = TaggedScalar(value=f"{role_id}.Arn", style=None, tag="!GetAtt")


def _role_target(value: Any) -> str | None:
    """The logical id of the role a function's ``Role`` property points at (``!GetAtt X.Arn``)."""
    tag = getattr(getattr(value, "tag", None), "value", None) or getattr(value, "tag", None)
    if tag is not None and str(tag) == "!GetAtt":
        return str(getattr(value, "value", "")).split(".", 1)[0] or None
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        parts = target.split(".", 1) if isinstance(target, str) else target
        return str(parts[0]) if parts else None
    return None


def _write_terraform(path: Path, group: list[FunctionPolicy]) -> str:
    directory = path if path.is_dir() else path.parent
    written: list[str] = []
    for policy in group:
        target = directory / f"{terraform_name(policy.logical_id)}_least_privilege.tf.json"
        doc = terraform_document([policy])
        # the pseudo-parameter data sources are declared once per module, in the first file
        if written:
            for key in ("aws_caller_identity", "aws_region", "aws_partition"):
                doc["data"].pop(key, None)
        target.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        written.append(target.name)
    return (f"wrote {', '.join(written)} in {directory.name or '.'}; reference "
            "data.aws_iam_policy_document.<name>.json from each function's role policy")
