from ruhrindex.cli import main

main()
