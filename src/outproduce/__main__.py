"""``python -m outproduce`` runs the CLI."""

from outproduce.interfaces.cli import main

main()
