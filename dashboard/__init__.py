"""The ecosim dashboard: a Streamlit multipage app over run folders.

``app.py`` is the Streamlit entry point (``ecosim dashboard`` runs it); ``app_pages/`` holds one
script per page. Everything a page shows comes from modules a later page (Sweeps) can reuse:
``loaders`` (finding and reading run folders, cached on path and modification time),
``summaries`` (lazy polars queries), ``catalog`` (names and units of quantities), ``charts``
(altair charts) and ``widgets`` (run pickers, downloads, readable errors).

The folder is a regular package of the ``ecosim`` distribution, so ``ecosim dashboard`` finds
``app.py`` next to this file in editable and in regular installs alike.
"""
