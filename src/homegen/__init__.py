"""homegen: keep a homelab's ArgoCD app-of-apps tree generated from one services.toml."""

__version__ = "0.1.0"
