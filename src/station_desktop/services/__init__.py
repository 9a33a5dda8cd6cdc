"""The application layer: every change to a station's database is one unit of work here.

Validate with the domain rules, check who may do it, write in one
transaction, leave the audit trail. The GUI, the command line, the xlsx
import, campaigns, bundle merges and the demo generator all come through
here; nothing else opens a write transaction (tests/test_architecture.py).
"""

from station_desktop.services.opening import open_store
from station_desktop.services.station import Service

__all__ = ["Service", "open_store"]
