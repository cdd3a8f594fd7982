"""A minimal SMTP server for the local layout (up-local.sh): production requires SMTP, and on one test
machine there is none. Every message is written to a file in the given folder; nothing is relayed.

    python deploy/smtp_sink.py --port 2525 --dir var/deploy-local/mail
"""

import argparse
import asyncio
import time
from pathlib import Path


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, folder: Path) -> None:
    def say(line: str) -> None:
        writer.write(f"{line}\r\n".encode())

    say("220 kotacerdas-local-sink ESMTP")
    envelope: list[str] = []
    while line := await reader.readline():
        command = line.decode(errors="replace").strip()
        verb = command[:4].upper()
        if verb == "EHLO":
            say("250-kotacerdas-local-sink")
            say("250 SIZE 52428800")
        elif verb == "HELO":
            say("250 kotacerdas-local-sink")
        elif verb in {"MAIL", "RCPT"}:
            envelope.append(command)
            say("250 OK")
        elif verb == "DATA":
            say("354 End data with <CR><LF>.<CR><LF>")
            await writer.drain()
            body = bytearray()
            while (chunk := await reader.readline()) not in (b".\r\n", b".\n", b""):
                body += chunk[1:] if chunk.startswith(b"..") else chunk
            name = folder / f"{time.time_ns()}.eml"
            name.write_bytes("".join(f"X-Envelope: {e}\r\n" for e in envelope).encode() + bytes(body))
            envelope = []
            say("250 OK: stored")
        elif verb == "RSET":
            envelope = []
            say("250 OK")
        elif verb == "NOOP":
            say("250 OK")
        elif verb == "QUIT":
            say("221 Bye")
            await writer.drain()
            break
        else:
            say("502 Command not implemented")
        await writer.drain()
    writer.close()


async def _serve(port: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    server = await asyncio.start_server(lambda r, w: _session(r, w, folder), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.dir))


if __name__ == "__main__":
    main()
