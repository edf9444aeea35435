"""The API's documentation as a page of our own, rendered on the server from the app's
OpenAPI document: every operation (parameters, body, answers) and every schema. Nothing
is loaded from elsewhere (FastAPI's Swagger UI and ReDoc load their code from a CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    """A parameter or a schema's property."""

    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Answer:
    """One status an operation may answer with."""

    status: str
    description: str
    type: str


@dataclass(frozen=True)
class Operation:
    """One method on one path."""

    anchor: str
    method: str
    path: str
    summary: str
    description: str
    needs_token: bool
    parameters: tuple[Field, ...]
    body: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class SchemaDoc:
    """A named schema and its properties."""

    name: str
    description: str
    fields: tuple[Field, ...]
    values: tuple[str, ...]
    """An enumeration's values (no fields then)."""


@dataclass(frozen=True)
class ApiDoc:
    """The whole document, ready for the template."""

    title: str
    version: str
    description: str
    auth: str
    operations: tuple[Operation, ...]
    schemas: tuple[SchemaDoc, ...]


def type_of(schema: Schema) -> str:
    """A short, readable type: ``GameView``, ``list of string``, ``integer or null``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " or ".join(type_of(s) for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return "list of " + type_of(schema.get("items", {}))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "map of " + type_of(schema["additionalProperties"])
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    return str(kind or "any")


def body_type(content: Schema | None) -> str:
    """The type of a JSON request or answer body, or an empty string."""
    if not content:
        return ""
    media = content.get("application/json", {})
    return type_of(media["schema"]) if "schema" in media else ""


def operation(path: str, method: str, op: Schema) -> Operation:
    """One operation of the document."""
    parameters = tuple(
        Field(
            name=p["name"],
            where=p.get("in", ""),
            type=type_of(p.get("schema", {})),
            required=bool(p.get("required", False)),
            description=p.get("description", p.get("schema", {}).get("description", "")),
        )
        for p in op.get("parameters", [])
    )
    answers = tuple(
        Answer(status, r.get("description", ""), body_type(r.get("content")))
        for status, r in sorted(op.get("responses", {}).items())
    )
    anchor = f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")
    return Operation(
        anchor=anchor,
        method=method.upper(),
        path=path,
        summary=op.get("summary", ""),
        description=op.get("description", ""),
        needs_token=bool(op.get("security")),
        parameters=parameters,
        body=body_type(op.get("requestBody", {}).get("content")),
        answers=answers,
    )


def schema_doc(name: str, schema: Schema) -> SchemaDoc:
    """One named schema of the document."""
    required = set(schema.get("required", ()))
    fields = tuple(
        Field(key, "", type_of(prop), key in required, prop.get("description", ""))
        for key, prop in schema.get("properties", {}).items()
    )
    values = tuple(str(v) for v in schema.get("enum", ()))
    return SchemaDoc(name, schema.get("description", ""), fields, values)


def api_doc(openapi: Schema) -> ApiDoc:
    """The page's content from an OpenAPI document."""
    info = openapi.get("info", {})
    schemes = openapi.get("components", {}).get("securitySchemes", {})
    auth = " ".join(s.get("description", "") for s in schemes.values())
    operations = tuple(
        operation(path, method, ops[method])
        for path, ops in openapi.get("paths", {}).items()
        for method in METHODS
        if method in ops
    )
    schemas = tuple(
        schema_doc(name, s)
        for name, s in sorted(openapi.get("components", {}).get("schemas", {}).items())
        if name not in ("HTTPValidationError", "ValidationError")  # never answered
    )
    return ApiDoc(
        title=info.get("title", ""),
        version=info.get("version", ""),
        description=info.get("description", ""),
        auth=auth,
        operations=operations,
        schemas=schemas,
    )
