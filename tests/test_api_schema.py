"""The OpenAPI schema, the browsable docs, and query counts of the smaller list endpoints."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    # --fail-on-warn turns any warning (an unresolvable field, a missing serializer…) into an error.
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/organizations/",
        "/api/v1/organizations/{id}/",
        "/api/v1/regions/",
        "/api/v1/supervisions/",
    ):
        assert path in schema["paths"], path


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _ref(schema: dict, node: dict) -> dict:
    name = node["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][name]


def _body(schema: dict, operation: dict, status: str) -> dict:
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_token_operation_documents_request_and_responses(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert not operation.get("security")  # no token needed to get one
    request = _ref(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(request["required"]) == {"username", "password"}
    response = _ref(schema, _body(schema, operation, "200"))
    assert set(response["properties"]) == {"token", "expires_at"}
    assert response["properties"]["expires_at"]["format"] == "date-time"
    assert "400" in operation["responses"]


def test_me_operation_documents_memberships_and_roles(schema):
    operation = schema["paths"]["/api/v1/me/"]["get"]
    me = _ref(schema, _body(schema, operation, "200"))
    assert {"id", "username", "full_name", "roles", "memberships"} <= set(me["properties"])
    assert me["properties"]["roles"]["type"] == "array"
    membership = _ref(schema, me["properties"]["memberships"]["items"])
    assert {"organization", "organization_name", "role", "role_display"} <= set(
        membership["properties"]
    )
    assert "401" in operation["responses"]
    assert {"tokenAuth": []} in operation["security"]


def test_organization_operations(schema):
    listing = schema["paths"]["/api/v1/organizations/"]["get"]
    params = {p["name"] for p in listing["parameters"]}
    assert {
        "q",
        "kind",
        "status",
        "village",
        "region",
        "industry",
        "is_key",
        "is_crowded",
        "is_sensitive",
        "is_mixed",
        "page",
        "page_size",
    } <= params
    page = _ref(schema, _body(schema, listing, "200"))
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    create = schema["paths"]["/api/v1/organizations/"]["post"]
    assert {"201", "400", "401", "403"} <= set(create["responses"])
    detail = schema["paths"]["/api/v1/organizations/{id}/"]
    assert set(detail) >= {"get", "patch"}
    assert not {"put", "delete"} & set(detail)
    assert "404" in detail["get"]["responses"]


def test_docs_use_only_local_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> in the docs"
    # The split view's start-up script is served by the same view.
    script = next(u for u in urls if "script" in u)
    script_response = client.get(script)
    assert script_response.status_code == 200
    assert "/api/schema/" in script_response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/supervisions/", "/api/v1/regions/"])
@pytest.mark.parametrize("username", ["township", "county", "dept"])
def test_small_lists_are_constant_in_queries(api, url, username, django_assert_max_num_queries):
    client = api(username)
    client.get(url)  # the token's last-use stamp is written once; measure later requests
    counts = {}
    for size in (1, 5, 100):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"page_size": size}).status_code == 200
        counts[size] = len(ctx.captured_queries)
    assert len(set(counts.values())) == 1, counts
    with django_assert_max_num_queries(5):
        client.get(url)


def test_me_is_cheap(api, django_assert_max_num_queries):
    client = api("ent1")
    client.get("/api/v1/me/")
    with django_assert_max_num_queries(2):  # the token (with its user), the memberships
        assert client.get("/api/v1/me/").status_code == 200
