"""The public copy of a photo: resized, upright, and without EXIF."""

import io

import pytest
from PIL import Image

from core.images import UnreadableImage, public_jpeg
from tests.factories import gps_jpeg


def test_it_strips_the_place_and_device_from_a_phone_photo():
    original = gps_jpeg()
    assert b"PhoneModel" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    copy = public_jpeg(io.BytesIO(original))
    image = Image.open(io.BytesIO(copy))
    assert not image.getexif() and b"PhoneModel" not in copy and b"Exif" not in copy


def test_it_shrinks_the_longer_side_to_1024_and_leaves_small_photos_be():
    assert Image.open(io.BytesIO(public_jpeg(io.BytesIO(gps_jpeg(3000, 1000))))).size == (1024, 341)
    assert Image.open(io.BytesIO(public_jpeg(io.BytesIO(gps_jpeg(640, 480))))).size == (640, 480)


def test_it_refuses_what_is_not_an_image():
    with pytest.raises(UnreadableImage):
        public_jpeg(io.BytesIO(b"%PDF-1.4 not a photo"))
