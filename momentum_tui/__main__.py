"""Allow `python -m momentum_tui`."""

from momentum_tui.cli import main

if __name__ == "__main__":
    main()
