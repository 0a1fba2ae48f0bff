"""`python -m stanch`."""

from stanch.cli.app import main

main()
