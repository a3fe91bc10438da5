#!/usr/bin/env python
"""Django's manage.py; ``anpai`` (the console script) does the same and is preferred."""

from anpai.cli import main

if __name__ == "__main__":
    main()
