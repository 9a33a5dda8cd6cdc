"""Pure-Python domain layer: enums, catalogues, validation and due-date rules.

Nothing here imports Qt or SQL; store, sync, reports and ui build on it.
Import the submodules directly (``from station_desktop.domain.idnumber import ...``).
"""
