"""Schemathesis hooks for the schema fuzzing pass (packages/api-tests/src/stress/fuzz.test.ts).

- `error_envelope`: every 4xx answer is the documented error envelope {code: int, msg: str}.
- Identity fields sometimes carry identities of the fuzzing user's real items (from
  POLARIS_FUZZ_IDS, JSON), so requests get past "not found" into the use cases.
"""
import json
import os
import re

import schemathesis
from hypothesis import strategies as st

KNOWN = json.loads(os.environ.get("POLARIS_FUZZ_IDS", "{}"))

# Which real identities may stand in a field of that name.
CANDIDATES = {
    "identity": ["file", "folder", "share", "trashed"],
    "parentId": ["folder"],
    "targetId": ["folder"],
    "targetFolderId": ["folder"],
    "fileIdentity": ["file"],
    "uploadKey": ["uploadKey"],
}
LISTS = {"identities": ["file", "folder", "share", "trashed"], "fileIdentities": ["file"]}
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _valid(value):
    """Only a well-formed identity is swapped: a malformed one is what a negative case is testing."""
    if isinstance(value, list):
        return 0 < len(value) <= 1000 and all(_valid(v) for v in value)
    return isinstance(value, str) and (value == "0" or bool(UUID.match(value)))


def _with_known(values):
    if not isinstance(values, dict) or not KNOWN:
        return st.just(values)
    choices = {}
    for name, kinds in CANDIDATES.items():
        if name in values and _valid(values[name]):
            choices[name] = st.sampled_from([values[name]] + [KNOWN[k] for k in kinds if k in KNOWN])
    for name, kinds in LISTS.items():
        if name in values and _valid(values[name]):
            choices[name] = st.sampled_from([values[name]] + [[KNOWN[k]] for k in kinds if k in KNOWN])
    return st.fixed_dictionaries(choices).map(lambda picked: {**values, **picked}) if choices else st.just(values)


@schemathesis.hook
def flatmap_query(ctx, query):
    return _with_known(query)


@schemathesis.hook
def flatmap_body(ctx, body):
    return _with_known(body)


@schemathesis.check
def error_envelope(ctx, response, case):
    """A 4xx answer carries {code: business code, msg: message} (API.md, Conventions)."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.content[:200]!r}") from exc
    if not (isinstance(body, dict) and isinstance(body.get("code"), int) and isinstance(body.get("msg"), str) and body["msg"]):
        raise AssertionError(f"{response.status_code} without the error envelope: {json.dumps(body)[:200]}")
    if body["code"] < 100000:
        raise AssertionError(f"{response.status_code} with {body['code']}, not a business code")
    return None
