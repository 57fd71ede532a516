"""Every answer the check-in tests get is checked against the OpenAPI document the app serves."""

from __future__ import annotations

from functools import cache

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from eventapp.api.openapi import openapi_document


@cache
def _document() -> dict:
    return openapi_document()


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    resource = Resource.from_contents(_document(), default_specification=DRAFT202012)
    return jsonschema.Draft202012Validator(_rebased(schema), registry=Registry().with_resource("urn:openapi", resource),
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _rebased(schema):
    """`#/components/...` references, read against the whole document."""
    if isinstance(schema, dict):
        return {key: ("urn:openapi" + value if key == "$ref" and value.startswith("#") else _rebased(value))
                for key, value in schema.items()}
    if isinstance(schema, list):
        return [_rebased(item) for item in schema]
    return schema


def assert_conforms(response, path: str, method: str) -> None:
    """The response's status is documented for the operation, its type is JSON and its body fits the schema."""
    operation = _document()["paths"][path][method]
    documented = operation["responses"]
    assert str(response.status_code) in documented, f"{response.status_code} not documented for {method} {path}"
    assert response.mimetype == "application/json", response.mimetype
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    errors = sorted(_validator(schema).iter_errors(response.get_json()), key=str)
    assert not errors, f"{method.upper()} {path} {response.status_code}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
