"""The pure extraction core: article text in, typed events out.

Nothing in this package performs I/O or keeps mutable global state; every
function is deterministic for a given input (the gazetteer is built once from
packaged offline data and then only read).
"""
