import sys

from iclsym.cli import main

sys.exit(main())
