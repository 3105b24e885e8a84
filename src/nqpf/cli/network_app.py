"""The ``nqpf network`` command group: inter-regional flows and innovation networks."""

from __future__ import annotations

import typer

from nqpf.cli._app import app

network_app = typer.Typer(
    help="Inter-regional flows and innovation networks 区域流动与创新网络",
    no_args_is_help=True,
)
app.add_typer(network_app, name="network")
