"""OpenAPI links (drf-spectacular post-processing): what a client can do next with what it created.

A `201` answer of `POST /things/` whose body carries the new `id` links to every operation under
`/things/{id}/` (read, change, delete, its actions), `id` taken from the answer's body. Clients and the
schemathesis stateful phase (tests/marketplace/test_schemathesis_all.py) follow them."""

from __future__ import annotations

import re
from typing import Any

METHODS = ("get", "put", "patch", "delete", "post")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _created_has_id(schema: dict[str, Any], response: dict[str, Any]) -> bool:
    for media in response.get("content", {}).values():
        body = _resolve(schema, media.get("schema", {}))
        if "id" in body.get("properties", {}):
            return True
    return False


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = result.get("paths", {})
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if not created or not _created_has_id(result, created):
            continue
        child = re.compile(re.escape(path) + r"\{id\}/")
        links: dict[str, Any] = {}
        for other_path, other_item in paths.items():
            if not child.match(other_path):
                continue
            for method in METHODS:
                operation = other_item.get(method)
                if operation and "operationId" in operation:
                    links[operation["operationId"]] = {
                        "operationId": operation["operationId"],
                        "parameters": {"id": "$response.body#/id"},
                    }
        if links:
            created["links"] = links
    return result
