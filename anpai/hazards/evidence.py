"""Evidence files: checked by content (not by name), size-limited, EXIF-orientated, thumbnailed.

Images: JPEG, PNG, WebP, and HEIC/HEIF where pillow-heif is installed.
Documents: PDF. Anything else is refused with a message naming the rule.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import warnings
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
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, for any other code decoding images
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


# Signatures of programs: a renamed executable is refused by name of what it is.
PROGRAM_MAGIC = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux
    b"\xcf\xfa\xed\xfe",  # macOS Mach-O (64-bit)
    b"\xce\xfa\xed\xfe",  # macOS Mach-O (32-bit)
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # script
)


def _refuse(message: str) -> Invalid:
    return Invalid(fields={"file": [message]})


def _accepted(name: str) -> str:
    return _(
        "%(name)s is not an accepted file: upload a photo (JPEG, PNG, WebP%(heic)s) or a PDF."
    ) % {"name": name, "heic": ", HEIC" if HEIF else ""}


def _sniff_refused(name: str, data: bytes) -> Invalid | None:
    """Refuse programs, SVG and web pages by their content, whatever their name says."""
    if data.startswith(PROGRAM_MAGIC):
        return _refuse(
            _("%(name)s is a program, not a photo or document; programs are refused.")
            % {"name": name}
        )
    text = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text:
        return _refuse(
            _(
                "%(name)s is an SVG drawing; SVG is refused because it can carry scripts. "
                "Upload a photo (JPEG, PNG, WebP%(heic)s) or a PDF."
            )
            % {"name": name, "heic": ", HEIC" if HEIF else ""}
        )
    if text.startswith((b"<!doctype", b"<html", b"<script", b"<?xml", b"<head", b"<body")):
        return _refuse(
            _(
                "%(name)s is a web page or markup, not a photo or document; it is refused. "
                "Upload a photo (JPEG, PNG, WebP%(heic)s) or a PDF."
            )
            % {"name": name, "heic": ", HEIC" if HEIF else ""}
        )
    return None


def _too_big(name: str, limit: int) -> Invalid:
    return _refuse(
        _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": limit // (1024 * 1024)}
    )


def _too_many_pixels(name: str) -> Invalid:
    return _refuse(
        _("%(name)s has too many pixels to be a photo (at most %(mp)d megapixels).")
        % {"name": name, "mp": MAX_PIXELS // 1_000_000}
    )


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, then flatten to RGB or greyscale for re-encoding."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        # Transparent areas become white, not black, in the JPEG.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode.startswith("I") or image.mode == "F":
        return image.convert("I").point(lambda v: v / 256).convert("L")  # 16-bit grey
    return image.convert("RGB")  # CMYK, YCbCr, 1-bit …


def check(upload) -> Checked:
    """Read and check one uploaded file; raise :class:`Invalid` (field ``file``) if refused.

    The type is decided by content, never by the name or the declared type. An
    image is decoded in full (a truncated or damaged one is refused) after its
    declared size is checked against MAX_PIXELS, so a decompression bomb is
    refused before any pixel is decoded.
    """
    name = os.path.basename(getattr(upload, "name", "") or "upload")[:200]
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise _too_big(name, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)  # a file read before (e.g. by a form) is checked from its start
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(name, limit)
    if not data:
        raise _refuse(_("%(name)s is empty.") % {"name": name})
    digest = hashlib.sha256(data).hexdigest()
    refused = _sniff_refused(name, data)
    if refused is not None:
        raise refused
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise _refuse(
                _("%(name)s is not a complete PDF (it may have been cut off while uploading).")
                % {"name": name}
            )
        return Checked(name, "application/pdf", data, digest)
    fmt = ""
    try:
        with warnings.catch_warnings():
            # Between MAX_PIXELS and twice that Pillow only warns: make it refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = (probe.format or "").upper()
                if fmt not in IMAGE_FORMATS:
                    raise _refuse(_accepted(name))
                if probe.width * probe.height > MAX_PIXELS:
                    raise _too_many_pixels(name)
                probe.verify()
            decoded = Image.open(io.BytesIO(data))
            decoded.load()
            image = _upright(decoded)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError):
        if not fmt:
            raise _refuse(_accepted(name)) from None
        raise _refuse(
            _("%(name)s is a damaged or incomplete %(format)s image.")
            % {"name": name, "format": fmt}
        ) from None
    return Checked(name, IMAGE_FORMATS[fmt], data, digest, image=image)


def reencoded(item: Checked) -> tuple[str, bytes, str]:
    """The bytes to keep of a checked file: ``(content type, data, extension)``.

    An image is re-encoded as JPEG: that strips EXIF (GPS, camera serials), XMP
    and ICC data, and any payload after the image (polyglots); only the pixels
    are kept. A PDF is kept as it came.
    """
    if item.image is None:
        return "application/pdf", item.data, "pdf"
    image = item.image if item.image.mode in ("RGB", "L") else item.image.convert("RGB")
    full = io.BytesIO()
    image.save(full, format="JPEG", quality=88, optimize=True)
    return "image/jpeg", full.getvalue(), "jpg"


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
    content_type, data, ext = reencoded(item)
    attachment.content_type = content_type
    attachment.size = len(data)
    attachment.file.save(f"{stem}.{ext}", ContentFile(data), save=False)
    if item.image is not None:
        image = item.image if item.image.mode in ("RGB", "L") else item.image.convert("RGB")
        thumb = image.copy()
        thumb.thumbnail(THUMB_SIZE)  # at most 480 px on the longer side
        small = io.BytesIO()
        thumb.save(small, format="JPEG", quality=80)
        attachment.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(small.getvalue()), save=False)
    attachment.save()
    return attachment
