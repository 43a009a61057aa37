#!/usr/bin/env python3
"""A minimal FTP control-channel responder for the 10,000-idle-sessions measurement: vsftpd forks a
process per session, which would measure vsftpd, not Ferry. Answers 220, USER 331, PASS 230,
NOOP 200, QUIT 221, anything else 502.

usage: idle_upstream.py HOST PORT
"""
import asyncio
import sys

REPLIES = {b"USER": b"331 Password please.\r\n", b"PASS": b"230 Logged in.\r\n", b"NOOP": b"200 NOOP ok.\r\n",
           b"QUIT": b"221 Bye.\r\n"}


async def session(reader, writer):
    writer.write(b"220 idle upstream ready\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line.split(b" ", 1)[0].strip().upper()
            writer.write(REPLIES.get(verb, b"502 Not implemented.\r\n"))
            if verb == b"QUIT":
                break
    except (ConnectionError, OSError):
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(session, sys.argv[1], int(sys.argv[2]), backlog=4096)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
