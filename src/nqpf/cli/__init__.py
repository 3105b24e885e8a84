"""The ``nqpf`` command line.

One module per command group registers its commands on the shared :data:`app`. Every command prints
errors as one clear line (the region, indicator or year at fault) and exits with status 2 instead of
a traceback.
"""

from nqpf.cli import (  # noqa: F401  (registers the commands)
    chain,
    city,
    coupling,
    data,
    disparity,
    efficiency,
    figures,
    index,
    network,
    records,
    scales,
    scenario,
    serve,
    spatial,
)
from nqpf.cli._app import app, main

__all__ = ["app", "main"]
