"""Sub-commands of the ``iclsym`` CLI (one module each; see :mod:`iclsym.cli`)."""
