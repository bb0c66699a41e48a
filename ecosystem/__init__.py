"""ecosim: a multi-agent simulator of the web as a training-data commons."""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # read lazily: importlib.metadata costs a noticeable share of a CLI start-up
    if name != "__version__":
        raise AttributeError(f"module 'ecosystem' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ecosim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+src"
