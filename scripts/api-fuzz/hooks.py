"""Schemathesis hooks for scripts/api-fuzz.sh: an agency token from the API's own token
endpoint (OAuth 2.0 client credentials), fetched again before it expires (tokens live 15
minutes; this one is renewed every 5), sent as `Authorization: Bearer` on every call.
The client comes from the environment: GH_FUZZ_BASE_URL, GH_FUZZ_CLIENT_ID, GH_FUZZ_CLIENT_SECRET."""

import os

import requests
import schemathesis


@schemathesis.auth(refresh_interval=300, retry_on=[])
class AgencyToken:
    def get(self, case, context):
        response = requests.post(
            os.environ["GH_FUZZ_BASE_URL"] + "/api/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(os.environ["GH_FUZZ_CLIENT_ID"], os.environ["GH_FUZZ_CLIENT_SECRET"]),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# CPython 3.11 (Debian's 3.11.2, and 3.11.7) can fail `ast.parse` of a large file deep in a
# call stack with "SystemError: AST constructor recursion depth mismatch"; Hypothesis parses
# Schemathesis' own source that way only to name a filter's lambda in a strategy's repr.
# A name is all that is lost: fall back to a plain one instead of failing the operation.
try:
    from hypothesis.internal import lambda_sources as _lambda_sources

    _describe = _lambda_sources.lambda_description

    def _lambda_description(f):
        try:
            return _describe(f)
        except SystemError:
            return "lambda"

    _lambda_sources.lambda_description = _lambda_description
except (ImportError, AttributeError):
    pass
