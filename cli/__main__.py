from sheetgrade.cli.main import main

main()
