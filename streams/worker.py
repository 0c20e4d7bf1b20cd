"""The complete worker: the app with every agent, timer and web view registered on it."""

from streams.agents import alignment, feedback, health, ticks, touchpoints, web, webhook, windows
from streams.app import app

__all__ = [
    "alignment",
    "app",
    "feedback",
    "health",
    "ticks",
    "touchpoints",
    "web",
    "webhook",
    "windows",
]
