"""Evidence files: checked by content (not by name), size-limited, EXIF-orientated, thumbnailed.

Images: JPEG, PNG, WebP, and HEIC/HEIF where pillow-heif is installed.
Documents: PDF. Anything else is refused with a message naming the rule.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from anpai.core.errors import Invalid

try:  # HEIC photos from iPhones, when the optional decoder is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - depends on the installation
    HEIF = False

IMAGE_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
    "HEIC": "image/heic",
}
MAX_PIXELS = 60_000_000  # a decompression bomb is refused, not decoded
THUMB_SIZE = (480, 480)


@dataclass
class Checked:
    """An upload that passed the checks, with what was learnt about it."""

    name: str
    content_type: str
    data: bytes
    sha256: str
    image: Image.Image | None = None

    @property
    def is_image(self) -> bool:
        return self.image is not None

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return getattr(settings, "ANPAI_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)


def check(upload) -> Checked:
    """Read and check one uploaded file; raise :class:`Invalid` (field ``file``) if refused."""
    name = os.path.basename(getattr(upload, "name", "") or "upload")[:200]
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise Invalid(
            fields={
                "file": [
                    _("%(name)s is larger than %(mb)d MB.")
                    % {"name": name, "mb": limit // (1024 * 1024)}
                ]
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise Invalid(
            fields={
                "file": [
                    _("%(name)s is larger than %(mb)d MB.")
                    % {"name": name, "mb": limit // (1024 * 1024)}
                ]
            }
        )
    if not data:
        raise Invalid(fields={"file": [_("%(name)s is empty.") % {"name": name}]})
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise Invalid(fields={"file": [_("%(name)s is not a complete PDF.") % {"name": name}]})
        return Checked(name, "application/pdf", data, digest)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = (probe.format or "").upper()
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if fmt not in IMAGE_FORMATS:
            raise UnidentifiedImageError(fmt)
        if image.width * image.height > MAX_PIXELS:
            raise Image.DecompressionBombError("too many pixels")
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid(
            fields={"file": [_("%(name)s has too many pixels to be a photo.") % {"name": name}]}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(
            fields={
                "file": [
                    _(
                        "%(name)s is not an accepted file: "
                        "upload a photo (JPEG, PNG, WebP%(heic)s) or a PDF."
                    )
                    % {"name": name, "heic": ", HEIC" if HEIF else ""}
                ]
            }
        ) from None
    return Checked(name, IMAGE_FORMATS[fmt], data, digest, image=ImageOps.exif_transpose(image))


def store(hazard, item: Checked, kind: str, by):
    """Save a checked file as an Attachment of ``hazard`` (with a thumbnail for images)."""
    from anpai.hazards.models import Attachment

    attachment = Attachment(
        hazard=hazard,
        kind=kind,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        original_name=item.name,
        uploaded_by=by,
    )
    stem = item.sha256[:16]
    if item.image is not None:
        # Re-encode: strips EXIF (GPS, camera serials) and any payload after the image.
        image = item.image.convert("RGB") if item.image.mode not in ("RGB", "L") else item.image
        full = io.BytesIO()
        image.save(full, format="JPEG", quality=88, optimize=True)
        attachment.content_type = "image/jpeg"
        attachment.size = full.tell()
        attachment.file.save(f"{stem}.jpg", ContentFile(full.getvalue()), save=False)
        thumb = image.copy()
        thumb.thumbnail(THUMB_SIZE)
        small = io.BytesIO()
        thumb.save(small, format="JPEG", quality=80)
        attachment.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(small.getvalue()), save=False)
    else:
        attachment.file.save(f"{stem}.pdf", ContentFile(item.data), save=False)
    attachment.save()
    return attachment
