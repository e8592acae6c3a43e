"""Allow `python -m momentum_tui` (the same start as the `momentum` console script)."""

from momentum_tui.entry import main

if __name__ == "__main__":
    main()
