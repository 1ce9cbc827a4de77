from lic_cli.cli import main

main()
