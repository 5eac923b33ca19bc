"""An ASGI response cache for the read-only API.

The warehouse is opened read only for the server's lifetime, so a GET of ``/api/v1/...`` with a
given query string always answers the same bytes: the first 200 answer is kept (bounded by a
number of entries and of bytes, oldest out first) and served again without routing, validation
or serialization. Errors and non-GET requests pass through untouched.
"""

from __future__ import annotations

from collections import OrderedDict


class ResponseCache:
    def __init__(self, app, *, prefix: str = "/api/v1/", max_entries: int = 4096, max_bytes: int = 256 << 20):
        self.app = app
        self.prefix = prefix
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[str, bytes], tuple[int, list, bytes]] = OrderedDict()
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
            self.hits += 1
            self.entries.move_to_end(key)
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
                if not message.get("more_body", False) and captured["status"] == 200:
                    self._store(key, captured["status"], captured["headers"], b"".join(captured["body"]))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key, status: int, headers: list, body: bytes) -> None:
        if len(body) > self.max_bytes // 16:
            return
        self.entries[key] = (status, headers, body)
        self.size += len(body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, (_, _, old) = self.entries.popitem(last=False)
            self.size -= len(old)
