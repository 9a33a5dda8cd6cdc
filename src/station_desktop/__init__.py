"""station-desktop: the village veterans' service station program."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("station-desktop")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
