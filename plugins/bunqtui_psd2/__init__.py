"""The PSD2 connector: a third-party provider (AISP/PISP) with a certificate.

Setup registers the certificate (a generated self-signed one in the sandbox, or your QSeal
certificate, key and chain files), the device and a session, gets or creates the OAuth client
and ensures the callback URL. A rerun reuses all of it and creates nothing twice. Its identities
are the bunq users connected by OAuth; the provider itself has no accounts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bunqtui.api import crypto
from bunqtui.plugins import Connector, SetupError, SetupField, SetupStep, Steps, hookimpl
from bunqtui.plugins.connector import OWN_CONTEXT

CERTIFICATE = "psd2_certificate"


def _read_pem(path: Any, what: str) -> str:
    p = Path(str(path)).expanduser()
    try:
        text = p.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read the {what} file {p}: {exc}") from None
    if "-----BEGIN" not in text:
        raise SetupError(f"the {what} file {p} is not PEM")
    return text


class Psd2Connector(Connector):
    name = "psd2"
    title = "PSD2 provider"
    description = "A PSD2 third-party provider: connect bunq users by QR login (OAuth)."
    fields = (
        SetupField(
            "generate_sandbox_certificate",
            "Generate a sandbox certificate",
            "bool",
            default=False,
            help="sandbox only: a self-signed AISP/PISP certificate",
        ),
        # excludes: a generated certificate needs none of these (the TUI hides them)
        SetupField(
            "certificate",
            "Certificate (PEM)",
            "path",
            help="your eIDAS QSeal certificate",
            excludes=("generate_sandbox_certificate",),
        ),
        SetupField(
            "private_key",
            "Certificate private key (PEM)",
            "path",
            excludes=("generate_sandbox_certificate",),
        ),
        SetupField(
            "chain", "Certificate chain (PEM)", "path", excludes=("generate_sandbox_certificate",)
        ),
    )
    can_connect = True
    has_own_identity = False

    def validate(self, options: dict[str, Any]) -> dict[str, Any]:
        options = super().validate(options)
        generate = bool(options.get("generate_sandbox_certificate"))
        files = [options.get(k) for k in ("certificate", "private_key", "chain")]
        if generate and any(files):
            raise SetupError("give either --generate-sandbox-certificate or certificate files")
        if generate and not self.env.environment.is_sandbox:
            raise SetupError(
                "a self-signed certificate works only in the sandbox",
                "in production give --certificate, --private-key and --chain",
            )
        if any(files) and not all(files):
            raise SetupError("--certificate, --private-key and --chain go together")
        if not generate and not any(files) and self.env.own_context() is None:
            raise SetupError(
                "a certificate is needed",
                "use --generate-sandbox-certificate in the sandbox, or give --certificate, "
                "--private-key and --chain",
            )
        return options

    def plan(self, options: dict[str, Any]) -> list[SetupStep]:
        return [
            SetupStep("certificate", "Certificate"),
            SetupStep("credential", "Installation, PSD2 credential, device and session"),
            SetupStep("oauth", "Get or create the OAuth client"),
            SetupStep("callback", "Register the callback URL"),
        ]

    async def setup(self, options: dict[str, Any], steps: Steps) -> None:
        env = self.env
        ctx = env.own_context()
        new_files = bool(options.get("certificate"))
        stored = env.vault.get(CERTIFICATE) or {}
        # the same certificate (or none given) on a registered installation: nothing to redo
        same = not new_files or (
            stored.get("certificate") == _read_pem(options["certificate"], "certificate")
        )
        reuse = ctx is not None and ctx.has_installation and same
        if reuse:
            # bunq forgets installations (a sandbox reset, an emulator restarted without its
            # state): then register the stored certificate on a new one
            async with env.client(ctx, on_context_change=lambda c: None) as probe:
                reuse = await probe.installation_known()
        if reuse:
            steps.skip("certificate", "already registered")
            steps.skip("credential", "reusing the saved installation")

            def renewed(c: Any) -> None:  # only over the login reused here (see api-key)
                if not env.vault.save_renewed(OWN_CONTEXT, c.to_dict()):
                    raise SetupError(f"profile {env.profile!r} was set up again meanwhile")

            async with env.client(ctx, on_context_change=renewed) as client:
                await client.ensure_session()
                await self.ensure_oauth_client(client, steps)
            return
        async with steps.run("certificate") as step:
            generate = bool(options.get("generate_sandbox_certificate"))
            if not new_files and not generate and stored.get("certificate"):
                cert, key = stored["certificate"], stored["private_key"]
                chain = stored.get("chain") or cert
                step.detail = "bunq no longer knew the saved installation: registering it anew"
            elif new_files:
                cert = _read_pem(options["certificate"], "certificate")
                key = _read_pem(options["private_key"], "private key")
                chain = _read_pem(options["chain"], "chain")
                step.detail = "read from files"
            else:
                cert, key = crypto.generate_sandbox_certificate(f"bunqtui {env.profile}")
                chain = cert
                step.detail = "self-signed sandbox certificate generated"
            env.vault.set(CERTIFICATE, {"certificate": cert, "private_key": key, "chain": chain})
        async with env.client() as client:
            async with steps.run("credential") as step:
                await client.create_psd2_context(
                    cert, key, chain, description=f"bunqtui {env.profile}"
                )
                step.detail = f"provider user {client.context.user_id if client.context else '?'}"
            await self.ensure_oauth_client(client, steps)


@hookimpl
def bunqtui_register_connectors() -> list[type]:
    return [Psd2Connector]
