#!/usr/bin/env python3
"""A TCP proxy that delays every chunk by DELAY_MS in each direction (tc netem is not available here).

At most BUFFER bytes are in flight per direction: 6 MiB, Linux's default largest TCP receive window
(net.ipv4.tcp_rmem), so one stream through the proxy gets what one TCP connection over such a link
would get, not more.

usage: delay_proxy.py LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS
"""
import asyncio
import sys

BUFFER = 6 << 20


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    in_flight = 0
    room = asyncio.Event()
    room.set()

    async def sender():
        nonlocal in_flight
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                try:
                    writer.write_eof()
                except OSError:
                    pass
                return
            writer.write(data)
            await writer.drain()
            in_flight -= len(data)
            if in_flight < BUFFER:
                room.set()

    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(1 << 18)
            await queue.put((loop.time() + delay, data or None))
            if not data:
                break
            in_flight += len(data)
            if in_flight >= BUFFER:
                room.clear()
                await room.wait()
        await task
    except (ConnectionError, OSError):
        task.cancel()
        writer.close()


async def handle(client_reader, client_writer, target, delay):
    host, port = target
    try:
        server_reader, server_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, delay), pump(server_reader, client_writer, delay),
                         return_exceptions=True)
    client_writer.close()
    server_writer.close()


async def main():
    lhost, lport = sys.argv[1].rsplit(":", 1)
    thost, tport = sys.argv[2].rsplit(":", 1)
    delay = int(sys.argv[3]) / 1000.0
    server = await asyncio.start_server(lambda r, w: handle(r, w, (thost, int(tport)), delay), lhost, int(lport))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
