#!/usr/bin/env python3
"""Counts the highlighted cells in a screenshot of an airlock HTML report (no image library needed).

Usage: check_screenshot.py SHOT.png FAIL_RGB REVIEW_RGB EXPECTED_FAIL EXPECTED_REVIEW

Decodes the PNG (8-bit RGB or RGBA, not interlaced, as Chromium writes it), finds the connected
areas filled with each highlight colour (each highlighted cell is one such area), and fails unless
there are exactly the expected numbers of failing and review cells.
"""
import struct
import sys
import zlib


def decode_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            for i in range(stride):
                line[i] = (line[i] + previous[i]) & 255
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def areas(width, height, channels, rows, rgb, tolerance=4, smallest=60):
    mask = [bytearray(width) for _ in range(height)]
    for y, line in enumerate(rows):
        m = mask[y]
        for x in range(width):
            i = x * channels
            if abs(line[i] - rgb[0]) <= tolerance and abs(line[i + 1] - rgb[1]) <= tolerance and abs(line[i + 2] - rgb[2]) <= tolerance:
                m[x] = 1
    count = 0
    for y in range(height):
        for x in range(width):
            if mask[y][x]:
                size, stack = 0, [(x, y)]
                mask[y][x] = 0
                while stack:
                    cx, cy = stack.pop()
                    size += 1
                    for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                        if 0 <= nx < width and 0 <= ny < height and mask[ny][nx]:
                            mask[ny][nx] = 0
                            stack.append((nx, ny))
                if size >= smallest:
                    count += 1
    return count


def rgb(text):
    text = text.lstrip("#")
    return tuple(int(text[i:i + 2], 16) for i in (0, 2, 4))


def main():
    shot, fail_rgb, review_rgb, want_fail, want_review = sys.argv[1:6]
    image = decode_png(shot)
    fail, review = areas(*image, rgb(fail_rgb)), areas(*image, rgb(review_rgb))
    print(f"{shot}: {fail} failing and {review} review cells highlighted (expected {want_fail} and {want_review})")
    if (fail, review) != (int(want_fail), int(want_review)):
        sys.exit(1)


if __name__ == "__main__":
    main()
