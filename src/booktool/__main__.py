import sys

from booktool.cli import main

sys.exit(main())
