"""Command bodies: flags in, exit code out; the CLI module stays thin and fast to import."""
