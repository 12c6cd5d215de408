"""Validates real responses against docs/openapi.yaml (OpenAPI 3.1: its schemas are JSON Schema
2020-12, checked with python3-jsonschema)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import jsonschema
import yaml

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


class OpenApi:
    def __init__(self, path: Path = OPENAPI):
        self.doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert self.doc["openapi"].startswith("3.1"), "the document must be OpenAPI 3.1 (JSON Schema 2020-12)"
        self.resolver = jsonschema.RefResolver.from_schema(self.doc)

    def resolve(self, node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            _, node = self.resolver.resolve(node["$ref"])
        return node

    def path_item(self, path: str) -> Tuple[str, dict]:
        path = path.split("?", 1)[0]
        paths = self.doc["paths"]
        if path in paths:
            return path, paths[path]
        return "/{unknown}", paths["/{unknown}"]

    def documented(self) -> Set[Tuple[str, str, str]]:
        """Every (path, method, status) the document lists."""
        out = set()
        for path, item in self.doc["paths"].items():
            for method, op in item.items():
                if method in ("get", "post", "put", "delete", "head", "patch"):
                    for status in op["responses"]:
                        out.add((path, method, str(status)))
        return out

    def validate(self, path: str, method: str, status: int, headers: Dict[str, str], body: bytes) -> Tuple[str, str, str]:
        """Raises AssertionError naming what does not match; returns the (path, method, status) key."""
        template, item = self.path_item(path)
        op_method = "get" if method.lower() == "head" else method.lower()
        if template == "/{unknown}":
            op_method = "get"  # any method: the path decides
        elif op_method not in item:
            # A method the path does not take: the document gives its 405 under a method it takes.
            op_method = next(m for m in item if m in ("get", "post"))
            assert status == 405, f"{method} {path}: undocumented method answered {status}"
        op = item[op_method]
        responses = op["responses"]
        assert str(status) in responses, f"{method} {path}: status {status} is not documented ({sorted(responses)})"
        response = self.resolve(responses[str(status)])
        for name, spec in response.get("headers", {}).items():
            spec = self.resolve(spec)
            if name.lower() == "x-request-id" or name.lower() in headers:
                assert name.lower() in headers, f"{method} {path} {status}: header {name} missing"
                value = headers[name.lower()]
                schema = spec["schema"]
                if schema.get("type") == "integer":
                    value = int(value)
                jsonschema.Draft202012Validator(schema, resolver=self.resolver).validate(value)
        content_type = headers.get("content-type", "").split(";")[0].strip()
        content = response.get("content", {})
        assert content_type in content, f"{method} {path} {status}: content type {content_type!r} not documented"
        schema = content[content_type]["schema"]
        if method.upper() == "HEAD":
            return template, op_method, str(status)
        if content_type == "application/json":
            instance = json.loads(body)
        else:
            instance = body.decode("utf-8")
        try:
            jsonschema.Draft202012Validator(schema, resolver=self.resolver).validate(instance)
        except jsonschema.ValidationError as e:
            raise AssertionError(f"{method} {path} {status}: {e.message} at {list(e.absolute_path)}") from None
        return template, op_method, str(status)
