"""Instrument photos: JPEG or PNG checked by their content (never by the file name), size-limited,
with a thumbnail made at upload."""

import io
from dataclasses import dataclass
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# The national record asks for photos of at most 1 MB; people upload what their phones take, so
# the portal accepts more and keeps a thumbnail for the lists.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# A 50-megapixel limit keeps a small file that decodes into gigabytes ("decompression bomb") out.
MAX_PHOTO_PIXELS = 50_000_000
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png"}
THUMBNAIL_BOX = (400, 400)
MAX_PHOTOS_PER_INSTRUMENT = 10


@dataclass
class PreparedPhoto:
    """A checked upload: the original bytes under a safe name, and its thumbnail."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def validate_photo(file) -> str:
    """Check an upload is a JPEG or PNG image within the limits; return its format.

    Reads the content with Pillow: a text file renamed ``.jpg`` is refused, whatever its name or
    the content type the browser claims.
    """
    size = getattr(file, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is %(size)s; the limit is %(limit)s. Reduce its size and try again.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_PHOTO_BYTES)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The photo file is empty."), code="empty")
    file.seek(0)
    try:
        with Image.open(file) as img:
            fmt = img.format
            width, height = img.size
            img.verify()
    except Image.DecompressionBombError as err:
        raise ValidationError(_("The photo has too many pixels; reduce its resolution."), code="too_big") from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ValidationError(
            _("This file is not a JPEG or PNG image (its content was checked, not its name). Choose a photo."),
            code="not_an_image",
        ) from err
    finally:
        file.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Only JPEG and PNG photos are accepted; this file is a %(format)s image.") % {"format": fmt},
            code="wrong_format",
        )
    if width * height > MAX_PHOTO_PIXELS:
        raise ValidationError(_("The photo has too many pixels; reduce its resolution."), code="too_big")
    return fmt


def prepare_photo(file) -> PreparedPhoto:
    """Validate an upload, decode it fully and make its thumbnail (a JPEG of at most 400 px)."""
    fmt = validate_photo(file)
    try:
        with Image.open(file) as img:
            img.load()
            width, height = img.size
            thumb = ImageOps.exif_transpose(img)
            thumb.thumbnail(THUMBNAIL_BOX)
            if thumb.mode in ("RGBA", "LA") or (thumb.mode == "P" and "transparency" in thumb.info):
                rgba = thumb.convert("RGBA")
                thumb = Image.new("RGB", rgba.size, (255, 255, 255))
                thumb.paste(rgba, mask=rgba.getchannel("A"))
            elif thumb.mode != "RGB":
                thumb = thumb.convert("RGB")
            buffer = io.BytesIO()
            thumb.save(buffer, format="JPEG", quality=85, optimize=True)
    except (OSError, SyntaxError, ValueError) as err:  # truncated or corrupt beyond the header
        raise ValidationError(
            _("The photo could not be read; it may be damaged. Export it again and retry."), code="damaged"
        ) from err
    finally:
        file.seek(0)
    stem = uuid4().hex
    original = ContentFile(file.read(), name=f"{stem}.{ALLOWED_FORMATS[fmt]}")
    file.seek(0)
    return PreparedPhoto(
        image=original,
        thumbnail=ContentFile(buffer.getvalue(), name=f"{stem}-thumb.jpg"),
        width=width,
        height=height,
    )
