"""The seed's design, reconstructed for comparison: an aiohttp server and client that stream
the body both ways and add a PyJWT HS512 token. Settings as jwt-proxy's: UPSTREAM_URL,
JWT_SECRET, HTTP_PORT."""
import datetime
import os
import time
import uuid

import jwt
from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

UPSTREAM = os.environ["UPSTREAM_URL"].rstrip("/")
SECRET = os.environ["JWT_SECRET"]
HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
       "transfer-encoding", "upgrade", "host", "x-my-jwt"}


async def proxy(request):
    token = jwt.encode({"jti": str(uuid.uuid4()), "iat": int(time.time()),
                        "payload": {"user": "username", "date": datetime.date.today().isoformat()}},
                       SECRET, algorithm="HS512")
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
    headers["x-my-jwt"] = token
    body = request.content if request.body_exists else None
    async with request.app["session"].request(request.method, UPSTREAM + request.path_qs, headers=headers,
                                              data=body, allow_redirects=False) as upstream:
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason,
                                      headers={k: v for k, v in upstream.headers.items()
                                               if k.lower() not in HOP | {"content-length"}})
        if upstream.content_length is not None:
            response.content_length = upstream.content_length
        await response.prepare(request)
        async for chunk in upstream.content.iter_chunked(65536):
            await response.write(chunk)
        await response.write_eof()
        return response


async def session(app):
    app["session"] = ClientSession(connector=TCPConnector(limit=0), timeout=ClientTimeout(total=None),
                                   auto_decompress=False)
    yield
    await app["session"].close()


app = web.Application(client_max_size=0)
app.cleanup_ctx.append(session)
app.router.add_route("*", "/{tail:.*}", proxy)
web.run_app(app, host="127.0.0.1", port=int(os.environ["HTTP_PORT"]), access_log=None, print=None)
