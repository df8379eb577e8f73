"""``python -m outproduce``: the same as the ``outproduce`` command."""

from outproduce.interfaces.cli import main

main()
