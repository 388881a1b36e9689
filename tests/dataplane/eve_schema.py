"""Validation of EVE records against Suricata's own schema (shared/reference). Our additions
are allowed beside Suricata's fields, so keys the schema does not define are pruned first;
everything it does define must validate (same names, types and shapes)."""
import json

import jsonschema

from conftest import SCHEMA

_schema = None
_validator = None


def schema():
    global _schema
    if _schema is None:
        _schema = json.loads(SCHEMA.read_text())
    return _schema


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target = schema()
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def prune(value, node):
    """Drops keys the schema node does not define, recursively."""
    node = _resolve(node)
    if not isinstance(node, dict):
        return value
    if isinstance(value, dict) and "properties" in node:
        props = node["properties"]
        return {k: prune(v, props[k]) for k, v in value.items() if k in props}
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [prune(v, node["items"]) for v in value]
    return value


def validate(record):
    """Raises jsonschema.ValidationError if a field Suricata defines has the wrong shape."""
    global _validator
    if _validator is None:  # checking the 400 KB schema itself is slow: do it once
        cls = jsonschema.validators.validator_for(schema())
        cls.check_schema(schema())
        _validator = cls(schema())
    _validator.validate(prune(record, schema()))
