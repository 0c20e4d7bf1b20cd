"""Faust agents, timers and web views of the worker; each module registers itself on import."""
