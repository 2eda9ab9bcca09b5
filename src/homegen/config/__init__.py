"""services.toml: reading, models and load-time checks."""
