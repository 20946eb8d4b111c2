"""Symbolic layer (imports SymPy): used at derivation time and in notebooks only.

The numeric path (:mod:`iclsym.onelayer.theory`, :mod:`iclsym.onelayer.simulation`, :mod:`iclsym.sweep`)
never imports this package.
"""
