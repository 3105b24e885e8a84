"""The local web workbench: ``nqpf serve``."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from nqpf.cli._app import app, console, friendly


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (``127.0.0.1``, ``::1``, localhost).

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


@app.command()
@friendly
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
) -> None:
    """Start the web workbench (upload, map, run, download) at http://HOST:PORT."""
    from nqpf._compat import require
    from nqpf.app import make_app

    uvicorn = require("uvicorn", "the web workbench")
    if not is_loopback(host):
        console.print(
            f"[bold yellow]warning[/]: 警告 listening on {host}: other machines can reach the "
            "workbench and upload files to it; use --host 127.0.0.1 to keep it on this machine",
            highlight=False,
        )
    console.print(f"nqpf workbench 新质生产力工作台: http://{host}:{port}", highlight=False)
    uvicorn.run(make_app(), host=host, port=port, log_level="warning")
