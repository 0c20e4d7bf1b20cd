"""Versioned ClickHouse DDL, applied in name order by ``sinks.migrate``."""
