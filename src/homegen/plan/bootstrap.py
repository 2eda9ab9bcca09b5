"""What bootstrap/setup-secrets.sh creates: one row per Secret key, from 1Password.

With the `script` provider the script creates every Secret services.toml references. With an
operator it creates only what that operator needs before it can start: the 1Password Connect
server's credentials and the Connect token the operator (or External Secrets'
`onepassword` ClusterSecretStore, which the rendered ExternalSecrets use: `key` = item,
`property` = field) authenticates with. The operator then makes every other Secret itself.
"""

from __future__ import annotations

from homegen.config.models import Config
from homegen.plan.model import BootstrapKey, SecretPlan

# Names the 1Password Connect Helm chart (1Password/connect-helm-charts, values.yaml) reads by
# default: connect.credentialsName/credentialsKey and operator.token.name/key.
CONNECT_CREDENTIALS_SECRET = "op-credentials"
CONNECT_CREDENTIALS_KEY = "1password-credentials.json"
OPERATOR_TOKEN_SECRET = "onepassword-token"
# The name External Secrets' 1Password docs give the Secret of connectTokenSecretRef.
ESO_TOKEN_SECRET = "onepassword-connect-token"
TOKEN_KEY = "token"
DEFAULT_NAMESPACE = {"1password-operator": "1password", "external-secrets": "external-secrets"}


def plan_bootstrap_keys(
    config: Config, secrets: tuple[SecretPlan, ...]
) -> tuple[BootstrapKey, ...]:
    """The Secret keys the bootstrap script creates, sorted by namespace, Secret and key."""
    provider = config.secrets.provider
    if provider == "script":
        rows = [BootstrapKey(s.namespace, s.name, key, ref) for s in secrets for key, ref in s.keys]
    else:
        namespace = config.secrets.namespace or DEFAULT_NAMESPACE[provider]
        token_secret = (
            OPERATOR_TOKEN_SECRET if provider == "1password-operator" else ESO_TOKEN_SECRET
        )
        rows = [
            # The chart stores the credentials file base64-encoded (`b64enc` in its template);
            # Connect reads it that way, so the script encodes it the same.
            BootstrapKey(
                namespace,
                CONNECT_CREDENTIALS_SECRET,
                CONNECT_CREDENTIALS_KEY,
                config.secrets.connect_credentials,
                "base64",
            ),
            BootstrapKey(namespace, token_secret, TOKEN_KEY, config.secrets.connect_token),
        ]
    return tuple(sorted(rows, key=lambda r: (r.namespace, r.secret, r.key)))
