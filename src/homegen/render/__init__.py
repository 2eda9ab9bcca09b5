"""Rendering: the plan through Jinja templates into canonical YAML text."""
