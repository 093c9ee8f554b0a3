from graphkit.cli.app import main

main()
