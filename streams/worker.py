"""The complete worker: the app with every agent, timer and web view registered on it."""

from streams.agents import feedback, ticks, touchpoints, web, webhook, windows
from streams.app import app

__all__ = ["app", "feedback", "ticks", "touchpoints", "web", "webhook", "windows"]
