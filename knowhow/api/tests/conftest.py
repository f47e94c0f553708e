import pytest
from django.core.cache import cache

from knowhow.accounts.services import api_token_create


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(user):
    _, raw = api_token_create(user=user, name="tests")
    return raw


@pytest.fixture
def api(client, token):
    """A client that sends the user's bearer token."""

    class Api:
        def __init__(self, headers):
            self.headers = headers

        def _call(self, method, path, data=None, **extra):
            kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
            if data is not None:
                kwargs.update(data=data, content_type="application/json")
            return getattr(client, method)(f"/api/v1{path}", **kwargs)

        def get(self, path, **extra):
            return client.get(
                f"/api/v1{path}",
                extra.pop("params", None),
                headers={**self.headers, **extra.pop("headers", {})},
                **extra,
            )

        def post(self, path, data=None, **extra):
            return self._call("post", path, data if data is not None else {}, **extra)

        def put(self, path, data=None, **extra):
            return self._call("put", path, data if data is not None else {}, **extra)

        def patch(self, path, data=None, **extra):
            return self._call("patch", path, data if data is not None else {}, **extra)

        def delete(self, path, **extra):
            return self._call("delete", path, **extra)

    return Api({"Authorization": f"Bearer {token}"})


@pytest.fixture
def anon(client):
    return client
