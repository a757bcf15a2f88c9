"""A small validator for the subset of OpenAPI 3.0 schemas that openapi-sc.yaml uses.

Supported: $ref (local), type (object/array/string/integer/number/boolean), nullable,
required, properties, additionalProperties (schema or bool), items, enum, minimum/maximum,
minItems, pattern, format date-time, allOf, anyOf, oneOf. Discriminators are ignored (the
anyOf branches are tried instead). Written here because Debian 12 ships no OpenAPI validator
and the suite must run with the Debian python3 + python3-yaml + python3-requests only.
"""

import datetime
import re

import yaml

DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        # The upstream file has a trailing tab in an example (see tests/data/rest/SOURCES.md).
        text = "\n".join(line.rstrip() for line in f.read().splitlines())
    return yaml.safe_load(text)


class OpenApi:
    def __init__(self, path):
        self.spec = load_spec(path)

    def resolve(self, schema):
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError("only local $ref are supported: " + ref)
            node = self.spec
            for part in ref[2:].split("/"):
                node = node[part]
            schema = node
        return schema

    def response(self, path, method, status):
        """(found, schema): found is False when the spec lists no such response."""
        op = self.spec["paths"].get(path, {}).get(method.lower())
        if op is None:
            return False, None
        resp = op.get("responses", {}).get(str(status))
        if resp is None:
            return False, None
        content = resp.get("content")
        if not content:
            return True, None
        media = next(iter(content.values()))
        return True, media.get("schema")

    def errors(self, instance, schema, where="$"):
        """All violations of `schema` by `instance`, as 'path: problem' strings."""
        schema = self.resolve(schema)
        if schema is None or schema == {}:
            return []
        out = []
        if instance is None:
            if schema.get("nullable"):
                return []
            if "type" in schema:
                return [f"{where}: null is not allowed (type {schema['type']})"]
        for key in ("allOf",):
            for sub in schema.get(key, []):
                out += self.errors(instance, sub, where)
        if "anyOf" in schema:
            branches = [self.errors(instance, s, where) for s in schema["anyOf"]]
            if all(branches):
                out.append(f"{where}: matches none of anyOf: " +
                           " | ".join("; ".join(b[:2]) for b in branches))
        if "oneOf" in schema:
            ok = [s for s in schema["oneOf"] if not self.errors(instance, s, where)]
            if len(ok) != 1:
                out.append(f"{where}: matches {len(ok)} of the oneOf branches, not exactly 1")
        t = schema.get("type")
        if t is not None and not self._type_ok(instance, t):
            return out + [f"{where}: expected {t}, got {type(instance).__name__}: {instance!r}"[:300]]
        if "enum" in schema and instance not in schema["enum"]:
            out.append(f"{where}: {instance!r} not in {schema['enum']}")
        if isinstance(instance, dict):
            for name in schema.get("required", []):
                if name not in instance:
                    out.append(f"{where}: missing required property '{name}'")
            props = schema.get("properties", {})
            for name, value in instance.items():
                if name in props:
                    out += self.errors(value, props[name], f"{where}.{name}")
                elif isinstance(schema.get("additionalProperties"), dict):
                    out += self.errors(value, schema["additionalProperties"], f"{where}.{name}")
                elif schema.get("additionalProperties") is False:
                    out.append(f"{where}: unexpected property '{name}'")
        if isinstance(instance, list):
            if "minItems" in schema and len(instance) < schema["minItems"]:
                out.append(f"{where}: fewer than {schema['minItems']} items")
            if "items" in schema:
                for i, item in enumerate(instance):
                    out += self.errors(item, schema["items"], f"{where}[{i}]")
        if isinstance(instance, (int, float)) and not isinstance(instance, bool):
            if "minimum" in schema and instance < schema["minimum"]:
                out.append(f"{where}: {instance} < minimum {schema['minimum']}")
            if "maximum" in schema and instance > schema["maximum"]:
                out.append(f"{where}: {instance} > maximum {schema['maximum']}")
        if isinstance(instance, str):
            if schema.get("format") == "date-time" and not DATE_TIME.match(instance):
                out.append(f"{where}: {instance!r} is not an RFC 3339 date-time")
            pattern = schema.get("pattern")
            if pattern and pattern != "url" and not re.search(pattern, instance):
                out.append(f"{where}: {instance!r} does not match /{pattern}/")
        return out

    @staticmethod
    def _type_ok(instance, t):
        if t == "object":
            return isinstance(instance, dict)
        if t == "array":
            return isinstance(instance, list)
        if t == "string":
            return isinstance(instance, str)
        if t == "integer":
            return isinstance(instance, int) and not isinstance(instance, bool)
        if t == "number":
            return isinstance(instance, (int, float)) and not isinstance(instance, bool)
        if t == "boolean":
            return isinstance(instance, bool)
        return True


def parse_date_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
