"""Demo data: a realistic village station, or a whole county, for training and trying out.

The generators draw plain rows (:mod:`.people`, :mod:`.persons`,
:mod:`.visits`, :mod:`.village`, :mod:`.ledgers`); the units of work write
them, each in one transaction through ``Store.raw_write``
(:mod:`.station` for a village, :mod:`.county` for a county). The GUI's
``--demo``, the ``demo`` command, the self-test, tests and benchmarks all
come through here.
"""

from station_desktop.services.demo.county import CountyDemo, generate_county, init_demo_county
from station_desktop.services.demo.persons import make_persons
from station_desktop.services.demo.rows import DEMO_TABLES, insert_rows
from station_desktop.services.demo.station import DEMO_STATION, generate_demo, init_demo
from station_desktop.services.demo.visits import make_visits

__all__ = [
    "DEMO_STATION", "DEMO_TABLES", "CountyDemo", "generate_county", "generate_demo",
    "init_demo", "init_demo_county", "insert_rows", "make_persons", "make_visits",
]
