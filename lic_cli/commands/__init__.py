"""One thin module per subcommand; each exposes `command`. Registered in lic_cli/cli.py."""
