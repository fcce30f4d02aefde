from safework.cli import main

main()
