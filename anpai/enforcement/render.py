"""Official documents as PDF and Word files, rebuilt from ``Document.content``.

(Placeholder: the renderers land with their own tests.)
"""

from __future__ import annotations

from anpai.enforcement.models import Document


def pdf(document: Document) -> bytes:
    raise NotImplementedError


def docx(document: Document) -> bytes:
    raise NotImplementedError
