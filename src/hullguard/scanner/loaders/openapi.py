"""Routes declared in an API's OpenAPI/Swagger body (``DefinitionBody`` / ``Body``).

Each operation becomes a route: its authorizer is the first security requirement that names an
authorizer (operation-level, else API-level), an ``apiKey`` scheme in the API key header means an API
key is required, and the Lambda integration URI names the function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hullguard.scanner.loaders.common import line_of, mapping
from hullguard.scanner.loaders.intrinsics import ref_target

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}


@dataclass(frozen=True, slots=True)
class OpenApiRoute:
    method: str
    path: str
    authorizer: str | None
    api_key_required: bool
    function: str | None  # logical id named by the integration URI
    line: int | None


def openapi_routes(definition: Any) -> list[OpenApiRoute]:
    body = mapping(definition)
    schemes = mapping(body.get("securityDefinitions")) or mapping(
        mapping(body.get("components")).get("securitySchemes")
    )
    default_security = body.get("security")
    out = []
    paths = mapping(body.get("paths"))
    for path, operations in paths.items():
        for method, operation in mapping(operations).items():
            if str(method).lower() not in METHODS or not isinstance(operation, dict):
                continue
            security = operation.get("security", default_security)
            authorizer, api_key = _security(security, schemes)
            integration = mapping(operation.get("x-amazon-apigateway-integration"))
            target = ref_target(integration.get("uri"))
            name = "ANY" if method == "x-amazon-apigateway-any-method" else str(method).upper()
            out.append(OpenApiRoute(name, str(path), authorizer, api_key, target, line_of(operations, method)))
    return out


def _security(requirements: Any, schemes: dict[str, Any]) -> tuple[str | None, bool]:
    authorizer: str | None = None
    api_key = False
    for requirement in requirements if isinstance(requirements, list) else []:
        for name in mapping(requirement):
            scheme = mapping(schemes.get(name))
            if (
                scheme.get("type") == "apiKey"
                and str(scheme.get("name", "")).lower() == "x-api-key"
                and not scheme.get("x-amazon-apigateway-authtype")
            ):
                api_key = True
            elif authorizer is None:
                authorizer = str(scheme.get("x-amazon-apigateway-authtype") or name)
    return authorizer, api_key
