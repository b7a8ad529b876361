"""Public attachments and avatars (docs/emulator.md#endpoints-all-under-v1-bunqs-shapes).

`POST /attachment-public` takes the file itself as the body (no JSON), its MIME type in
Content-Type and a description in X-Bunq-Attachment-Description, and answers a `Uuid`. The
content comes back byte for byte with that Content-Type, signed like any answer. An avatar is
made from an attachment's uuid. Public means any session may read them by uuid.
"""

from __future__ import annotations

import struct
from typing import Any

from . import views, wire
from .call import Call
from .state import Attachment, Avatar
from .wire import ApiError

# What bunq takes for public attachments ("png, jpg and gif").
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
MAX_ATTACHMENT = 8 * 1024 * 1024
MAX_DESCRIPTION = 9000


def image_size(content: bytes, content_type: str) -> tuple[int, int] | None:
    """(width, height) read from the image's own header, or None if it is not that image."""
    if content_type == "image/png":
        if content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR":
            width, height = struct.unpack(">II", content[16:24])
            return width, height
        return None
    if content_type == "image/gif":
        if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
            width, height = struct.unpack("<HH", content[6:10])
            return width, height
        return None
    return _jpeg_size(content)


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments to the first start-of-frame marker."""
    if content[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 <= len(content):
        if content[at] != 0xFF:
            return None
        marker = content[at + 1]
        length = struct.unpack(">H", content[at + 2 : at + 4])[0]
        if marker in range(0xC0, 0xD0) and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def _attachment(call: Call, uuid: str) -> Attachment:
    attachment = call.world.attachments.get(uuid)
    if attachment is None:
        raise wire.not_found("AttachmentPublic", uuid)
    return attachment


async def create_attachment(call: Call) -> Any:
    content_type = call.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in IMAGE_TYPES:
        raise ApiError(
            400, "The Content-Type of an attachment must be image/png, image/jpeg or image/gif."
        )
    description = call.request.headers.get("x-bunq-attachment-description", "").strip()
    if not description:
        raise ApiError(400, "The header X-Bunq-Attachment-Description is required.")
    if len(description) > MAX_DESCRIPTION:
        raise ApiError(400, f"The description can be at most {MAX_DESCRIPTION} characters.")
    if not call.body:
        raise ApiError(400, "The attachment is empty.")
    if len(call.body) > MAX_ATTACHMENT:
        raise ApiError(400, "The attachment is too large.")
    world = call.world
    with world.lock:
        attachment = Attachment(
            world.uuid(), world.clock.utcnow(), content_type, description, call.body
        )
        world.attachments[attachment.uuid] = attachment
    return wire.uuid_only(attachment.uuid)


async def get_attachment(call: Call) -> Any:
    return wire.ok(views.attachment_public(_attachment(call, call.params["p0"])))


async def attachment_content(call: Call) -> Any:
    attachment = _attachment(call, call.params["p0"])
    return wire.RawBody(attachment.content, attachment.content_type)


async def create_avatar(call: Call) -> Any:
    uuid = call.object().get("attachment_public_uuid")
    if not isinstance(uuid, str) or not uuid:
        raise ApiError(400, "The field attachment_public_uuid is required.")
    attachment = _attachment(call, uuid)
    size = image_size(attachment.content, attachment.content_type)
    if size is None:
        raise ApiError(400, "The attachment is not a readable image.")
    world = call.world
    with world.lock:
        avatar = Avatar(world.uuid(), world.clock.utcnow(), uuid, *size, attachment.content_type)
        world.avatars[avatar.uuid] = avatar
    return wire.uuid_only(avatar.uuid)


async def get_avatar(call: Call) -> Any:
    avatar = call.world.avatars.get(call.params["p0"])
    if avatar is None:
        raise wire.not_found("Avatar", call.params["p0"])
    return wire.ok(views.avatar_object(avatar))
