from netmox_cli.cli import main

main()
