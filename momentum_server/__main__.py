"""`python -m momentum_server` is `momentum-server`."""

from momentum_server.cli import main

main()
