"""Installation, device, session and sandbox-user endpoints, and PSD2 registration
(docs/protocol.md#handshake)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import crypto, views, wire
from .call import Call
from .seed import sandbox_user
from .state import (
    PSP_FIRST_SESSION_CAP,
    PSP_SESSION_TIMEOUT,
    Credential,
    Device,
    Installation,
    Secret,
    Session,
    User,
)
from .wire import ApiError

CREDENTIALS = "User credentials are incorrect. Incorrect API key or IP address."


def _str_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        raise ApiError(400, f"The field {name} is required.")
    if not isinstance(value, str):
        raise ApiError(400, f"The field {name} must be a string.")
    return value


def _ip_permitted(secret: Secret, ip: str) -> bool:
    return secret.permitted_ips is None or "*" in secret.permitted_ips or ip in secret.permitted_ips


async def create_installation(call: Call) -> Any:
    data = call.object()
    pem = _str_field(data, "client_public_key")
    if crypto.load_public(pem) is None:
        raise ApiError(400, "Client public key is invalid.")
    world = call.world
    server_key = call.emulator.key_pool.take()
    with world.lock:
        now = world.clock.utcnow()
        inst = Installation(
            id=world.next_id("installation"),
            token=world.token(),
            token_id=world.next_id("token"),
            created=now,
            client_public_key=pem,
            server_key=server_key,
            server_public_key=crypto.public_pem(server_key),
        )
        world.installations[inst.token] = inst
        world.installations_by_id[inst.id] = inst
    call.new_installation = inst
    stamp = wire.timestamp(now)
    return wire.ok(
        {"Id": {"id": inst.id}},
        {
            "Token": {
                "id": inst.token_id,
                "created": stamp,
                "updated": stamp,
                "token": inst.token,
            }
        },
        {"ServerPublicKey": {"server_public_key": inst.server_public_key}},
    )


async def list_installation(call: Call) -> Any:
    return wire.ok({"Id": {"id": call.auth_installation.id}})


async def get_installation(call: Call) -> Any:
    if call.param(0) != call.auth_installation.id:
        raise wire.not_found("Installation", call.param(0))
    return wire.ok({"Id": {"id": call.auth_installation.id}})


async def server_public_key(call: Call) -> Any:
    if call.param(0) != call.auth_installation.id:
        raise wire.not_found("Installation", call.param(0))
    return wire.ok(
        {"ServerPublicKey": {"server_public_key": call.auth_installation.server_public_key}}
    )


async def create_device(call: Call) -> Any:
    data = call.object()
    description = _str_field(data, "description")
    secret_value = _str_field(data, "secret")
    permitted = data.get("permitted_ips")
    if permitted is not None and (
        not isinstance(permitted, list) or not all(isinstance(i, str) for i in permitted)
    ):
        raise ApiError(400, "The field permitted_ips must be a list of IP addresses.")
    world = call.world
    with world.lock:
        secret = world.secrets.get(secret_value)
        if secret is None or secret.revoked or not _ip_permitted(secret, call.ip):
            raise ApiError(400, CREDENTIALS)
        if secret.permitted_ips is None:
            secret.permitted_ips = list(permitted) if permitted else [call.ip]
        device = Device(
            world.next_id("device"),
            call.auth_installation.id,
            secret_value,
            description,
            call.ip,
            world.clock.utcnow(),
        )
        world.devices[device.id] = device
        call.auth_installation.device_ids.append(device.id)
        for cred in world.credentials.values():
            if cred.token_value == secret_value:
                cred.device_description, cred.device_ip = description, call.ip
    return wire.id_only(device.id)


async def list_devices(call: Call) -> Any:
    world = call.world
    ids = call.auth_installation.device_ids
    items = [_device_json(world.devices[d]) for d in reversed(ids)]
    return wire.ok(*items, pagination={"future_url": None, "newer_url": None, "older_url": None})


async def get_device(call: Call) -> Any:
    device_id = call.param(0)
    if device_id not in call.auth_installation.device_ids:
        raise wire.not_found("DeviceServer", device_id)
    return wire.ok(_device_json(call.world.devices[device_id]))


async def create_session(call: Call) -> Any:
    secret_value = _str_field(call.object(), "secret")
    world = call.world
    with world.lock:
        secret = world.secrets.get(secret_value)
        if (
            secret is None
            or secret.revoked
            or not call.auth_installation.device_ids
            or not _ip_permitted(secret, call.ip)
        ):
            raise ApiError(400, CREDENTIALS)
        if secret.permitted_ips is None:
            secret.permitted_ips = ["*"]
        now = world.clock.utcnow()
        timeout = _session_timeout(world, secret)
        first_psd2_session = False
        for cred in world.credentials.values():
            if cred.token_value == secret_value and cred.status != "ACTIVE":
                cred.status, cred.updated = "ACTIVE", now
                first_psd2_session = True
        lifetime = min(timeout, PSP_FIRST_SESSION_CAP) if first_psd2_session else timeout
        session_id = world.next_id("session")
        session = Session(
            session_id,
            world.token(),
            call.auth_installation.id,
            secret.user_id,
            now,
            world.clock.now() + lifetime,
            timeout,
        )
        world.sessions[session.token] = session
        user_json = views.any_user(world, secret.user_id)
    stamp = wire.timestamp(now)
    return wire.ok(
        {"Id": {"id": session_id}},
        {
            "Token": {
                "id": session_id,
                "created": stamp,
                "updated": stamp,
                "token": session.token,
            }
        },
        user_json,
    )


async def delete_session(call: Call) -> Any:
    # The id is not checked (the SDK always sends 0): the token's own session goes. It is
    # kept as expired rather than forgotten, so the 401 a later call gets is still signed
    # with its installation's server key (docs/protocol.md#response-signatures), like any other
    # 4xx.
    with call.world.lock:
        call.auth_session.expiry = float("-inf")
    return wire.ok()


async def _sandbox_user(call: Call, kind: str) -> Any:
    with call.world.lock:
        _user, key = sandbox_user(call.world, kind)
    return wire.ok({"ApiKey": {"api_key": key}})


async def sandbox_person(call: Call) -> Any:
    return await _sandbox_user(call, "UserPerson")


async def sandbox_company(call: Call) -> Any:
    return await _sandbox_user(call, "UserCompany")


async def register_psd2(call: Call) -> Any:
    data = call.object()
    cert_pem = _str_field(data, "client_payment_service_provider_certificate")
    _str_field(data, "client_payment_service_provider_certificate_chain")
    signature = _str_field(data, "client_public_key_signature")
    cert = crypto.load_certificate(cert_pem)
    if cert is None:
        raise ApiError(400, "The certificate is not a valid X.509 certificate.")
    cert_key = cert.public_key()
    inst = call.auth_installation
    message = (inst.client_public_key.rstrip("\n") + "\n" + inst.token).encode()
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not isinstance(cert_key, rsa.RSAPublicKey) or not crypto.verify(
        cert_key, message, signature
    ):
        raise ApiError(400, "The client public key signature is invalid.")
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = str(names[0].value) if names else ""
    if not any(role in common_name.upper() for role in ("AISP", "PISP")):
        raise ApiError(400, "The certificate's common name must contain AISP and/or PISP.")
    world = call.world
    with world.lock:
        if common_name in world.used_common_names:
            raise ApiError(
                400,
                "A credential for this certificate already exists. Use a certificate with a "
                "new common name.",
            )
        world.used_common_names.add(common_name)
        now = world.clock.utcnow()
        uid = world.next_id("user")
        world.users[uid] = User(
            id=uid,
            kind="UserPaymentServiceProvider",
            created=now,
            name=common_name,
            public_uuid=world.uuid(),
            avatar_uuid=world.uuid(),
            certificate_dn=cert.subject.rfc4514_string(),
            session_timeout=PSP_SESSION_TIMEOUT,
        )
        token_value = world.token()
        world.secrets[token_value] = Secret(token_value, "psd2", uid)
        cred = Credential(
            world.next_id("credential"),
            now,
            now,
            token_value,
            uid,
            common_name,
            now + timedelta(hours=1),
        )
        world.credentials[cred.id] = cred
    return wire.ok(views.credential(cred))


async def get_psd2(call: Call) -> Any:
    cred = call.world.credentials.get(call.param(0))
    if cred is None:
        raise wire.not_found("PaymentServiceProviderCredential", call.param(0))
    return wire.ok(views.credential(cred))


def _session_timeout(world, secret: Secret) -> int:
    if secret.user_id in world.user_api_keys:
        grant = world.user_api_keys[secret.user_id]
        return world.users[grant.requested_by_id].session_timeout
    return world.users[secret.user_id].session_timeout


def _device_json(device: Device) -> dict[str, Any]:
    stamp = wire.timestamp(device.created)
    return {
        "DeviceServer": {
            "id": device.id,
            "created": stamp,
            "updated": stamp,
            "description": device.description,
            "ip": device.ip,
            "status": "ACTIVE",
        }
    }
