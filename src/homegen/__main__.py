from homegen.cli import main

main()
