from bizdesk.cli import main

main()
