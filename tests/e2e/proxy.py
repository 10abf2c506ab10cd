"""The browser tests' stand-in for the reverse proxy of docs/performance.md.

    python -m tests.e2e.proxy LISTEN_PORT HTTP_PORT WS_PORT

One origin for the browser, as nginx gives in production: a connection whose first request
asks for ``/ws/`` goes to Daphne (WebSocket), any other to gunicorn (HTTP). Bytes are then
copied both ways untouched until either side closes. A browser opens each WebSocket on a
connection of its own, so the first request decides for the whole connection.
"""

import asyncio
import sys

HOST = "127.0.0.1"
HEADERS_END = b"\r\n\r\n"
MAX_HEADERS = 64 * 1024


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        if not writer.is_closing():
            writer.close()


def upstream_port(head: bytes, http_port: int, ws_port: int) -> int:
    request_line = head.split(b"\r\n", 1)[0].split(b" ")
    path = request_line[1] if len(request_line) > 1 else b"/"
    return ws_port if path.startswith(b"/ws/") else http_port


async def handle(client_reader, client_writer, http_port: int, ws_port: int) -> None:
    try:
        head = await client_reader.readuntil(HEADERS_END)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        client_writer.close()
        return
    try:
        up_reader, up_writer = await asyncio.open_connection(
            HOST, upstream_port(head, http_port, ws_port)
        )
    except OSError:
        client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        client_writer.close()
        return
    up_writer.write(head)
    await asyncio.gather(pipe(client_reader, up_writer), pipe(up_reader, client_writer))


async def main(listen_port: int, http_port: int, ws_port: int) -> None:
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, http_port, ws_port), HOST, listen_port, limit=MAX_HEADERS
    )
    print(f"proxy: {HOST}:{listen_port} → HTTP :{http_port}, /ws/ :{ws_port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(*(int(arg) for arg in sys.argv[1:4])))
