"""The complete worker: the app with every agent, timer and web view registered on it."""

from streams.agents import feedback, housekeeping, sla, touchpoints, web, windows
from streams.app import app

__all__ = ["app", "feedback", "housekeeping", "sla", "touchpoints", "web", "windows"]
