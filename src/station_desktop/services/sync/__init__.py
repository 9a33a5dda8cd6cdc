"""What a bundle, an enrolment or a conflict changes in the database: units of work.

:mod:`station_desktop.sync` keeps the wire (keys, enrolment files, the
container, signatures, encryption, record encoding, the checks of a
bundle's bytes); these modules open the transactions that use it:
``export`` (build a bundle and record it), ``imports`` (check, merge,
quarantine; a trial run that keeps nothing), ``merge`` (the merge itself),
``enrolment`` (install, accept, revoke keys), ``review`` (resolve a
conflict, transfer a person) and ``relay`` (a town carrying bundles on).
"""
