from bizdesk.start import main

main()
