"""``python -m sheetgrade``: the command line, where the script is not on PATH."""

from sheetgrade.cli.main import main

main()
