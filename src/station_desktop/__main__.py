"""``python -m station_desktop``: the same as the ``station-desktop`` command."""

import sys

from station_desktop.app import main

sys.exit(main())
