"""ecosim: a multi-agent simulator of the web as a training-data commons."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ecosim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
