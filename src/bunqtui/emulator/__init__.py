"""A local bunq emulator: bunq's public API (the endpoints bunqtui uses) over loopback HTTP.

It imports nothing from the rest of bunqtui — it has its own small crypto helpers — so that a
mistake shared by the client and the emulator cannot hide. See docs/emulator.md.
"""
