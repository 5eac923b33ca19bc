"""An ASGI response cache for the read-only API.

The warehouse is opened read only for the server's lifetime, so a GET of ``/api/v1/...`` with a
given query string always answers the same bytes: the first 200 answer is kept (bounded by a
number of entries and of bytes, oldest out first) and served again without routing, validation
or serialization. Negative answers (400, 404, 422: an unknown organization, a bad value) are kept
too, in a store of their own (a quarter of the entries) so that a flood of distinct bad requests
cannot evict the good answers. Server errors (5xx: busy) and non-GET requests pass through.
"""

from __future__ import annotations

from collections import OrderedDict


class ResponseCache:
    NEGATIVE = frozenset({400, 404, 422})

    def __init__(self, app, *, prefix: str = "/api/v1/", max_entries: int = 4096, max_bytes: int = 256 << 20):
        self.app = app
        self.prefix = prefix
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[str, bytes], tuple[int, list, bytes]] = OrderedDict()
        self.errors: OrderedDict[tuple[str, bytes], tuple[int, list, bytes]] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""))
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
        else:
            hit = self.errors.get(key)
        if hit is not None:
            self.hits += 1
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        self.misses += 1
        captured: dict = {"status": None, "headers": [], "body": []}

        async def capture(message):
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
                if not message.get("more_body", False) and not any(
                        k.lower() == b"cache-control" and b"no-store" in v for k, v in captured["headers"]):
                    if captured["status"] == 200:
                        self._store(key, captured["status"], captured["headers"], b"".join(captured["body"]))
                    elif captured["status"] in self.NEGATIVE:
                        self._store_error(key, captured["status"], captured["headers"], b"".join(captured["body"]))
            await send(message)

        await self.app(scope, receive, capture)

    def _store_error(self, key, status: int, headers: list, body: bytes) -> None:
        if len(body) > 64 << 10:
            return
        self.errors[key] = (status, headers, body)
        while len(self.errors) > max(1, self.max_entries // 4):
            self.errors.popitem(last=False)

    def _store(self, key, status: int, headers: list, body: bytes) -> None:
        if len(body) > self.max_bytes // 16:
            return
        if key in self.entries:
            return
        self.entries[key] = (status, headers, body)
        self.size += len(body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, (_, _, old) = self.entries.popitem(last=False)
            self.size -= len(old)
