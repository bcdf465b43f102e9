#!/usr/bin/env python3
"""Regenerates Tests/Corpus/frame: camera frames for CameraFrameFile.read (see Tests/Corpus/README.md).

Usage: python3 Tests/Corpus/make_frame_corpus.py

Pure Python (struct, zlib): TIFF files are built byte by byte from the TIFF 6.0 layout (header, one
image file directory per page, external values, strips or tiles), PNG files chunk by chunk. Each file
is one case; Tests/Corpus/expectations.tsv says what each must give. The files are committed; run this
only to add or change cases.
"""
import os, struct, zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frame")
os.makedirs(ROOT, exist_ok=True)


def put(name, data):
    with open(os.path.join(ROOT, name), "wb") as f:
        f.write(data)


SHORT, LONG = 3, 4


def tiff(pages):
    """A little-endian classic TIFF; `pages` is a list of (tags, chunks, tiled): tags {tag: (type, [values])}."""
    out = bytearray(b"II*\0" + struct.pack("<I", 8))
    ifd_offsets = []
    # Lay out each page: directory, external values, chunks; directories chained in order.
    blobs = []
    offset = 8
    for tags, chunks, tiled in pages:
        tags = dict(tags)
        tags[259] = (SHORT, [1])
        tags[324 if tiled else 273] = (LONG, [0] * len(chunks))
        tags[325 if tiled else 279] = (LONG, [len(c) for c in chunks])
        order = sorted(tags)
        ifd = offset
        offset += 2 + 12 * len(order) + 4
        external = {}
        for t in order:
            typ, vals = tags[t]
            size = len(vals) * (2 if typ == SHORT else 4)
            if size > 4:
                external[t] = offset
                offset += (size + 1) // 2 * 2
        chunk_offsets = []
        for c in chunks:
            chunk_offsets.append(offset)
            offset += (len(c) + 1) // 2 * 2
        tags[324 if tiled else 273] = (LONG, chunk_offsets)
        blobs.append((ifd, tags, order, external, chunks))
        ifd_offsets.append(ifd)
    for i, (ifd, tags, order, external, chunks) in enumerate(blobs):
        assert len(out) == ifd
        out += struct.pack("<H", len(order))
        for t in order:
            typ, vals = tags[t]
            enc = b"".join(struct.pack("<H" if typ == SHORT else "<I", v) for v in vals)
            out += struct.pack("<HHI", t, typ, len(vals))
            out += struct.pack("<I", external[t]) if t in external else enc.ljust(4, b"\0")
        out += struct.pack("<I", ifd_offsets[i + 1] if i + 1 < len(ifd_offsets) else 0)
        for t in order:
            if t in external:
                typ, vals = tags[t]
                out += b"".join(struct.pack("<H" if typ == SHORT else "<I", v) for v in vals)
                if len(out) % 2:
                    out += b"\0"
        for c in chunks:
            out += c
            if len(out) % 2:
                out += b"\0"
    return bytes(out)


def gray(width, height, bits, data, photometric=1, samples=1, extra=None):
    tags = {256: (LONG, [width]), 257: (LONG, [height]), 258: (SHORT, [bits] * samples), 262: (SHORT, [photometric]),
            277: (SHORT, [samples]), 278: (LONG, [height])}
    tags.update(extra or {})
    return (tags, [data], False)


def u16(values):
    return b"".join(struct.pack("<H", v) for v in values)


ramp8 = bytes(range(0, 256, 4))                                    # 8×8
ramp12 = [i * 4095 // 63 for i in range(64)]
put("valid-8-bit.tif", tiff([gray(8, 8, 8, ramp8)]))
put("valid-16-bit.tif", tiff([gray(8, 8, 16, u16([i * 1000 + 7 for i in range(64)]))]))
put("valid-12-bit-left-justified.tif", tiff([gray(8, 8, 16, u16([v << 4 for v in ramp12]))]))
put("valid-float.tif", tiff([gray(2, 2, 32, struct.pack("<4f", 0.0, 1.5, 2.5, 70000.0), extra={339: (SHORT, [3])})]))
tile = {256: (LONG, [20]), 257: (LONG, [18]), 258: (SHORT, [16]), 262: (SHORT, [1]), 277: (SHORT, [1]),
        322: (LONG, [16]), 323: (LONG, [16])}
put("valid-tiled.tif", tiff([(tile, [u16([(t * 256 + i) % 65536 for i in range(256)]) for t in range(4)], True)]))
put("two-pages.tif", tiff([gray(8, 8, 8, ramp8), gray(8, 8, 8, ramp8)]))
put("rgb.tif", tiff([gray(2, 2, 8, bytes(12), photometric=2, samples=3)]))
put("gray-alpha.tif", tiff([gray(2, 2, 8, bytes(8), samples=2, extra={338: (SHORT, [2])})]))
put("palette.tif", tiff([gray(2, 2, 8, bytes(4), photometric=3, extra={320: (SHORT, [0] * 768)})]))
put("cmyk.tif", tiff([gray(2, 2, 8, bytes(16), photometric=5, samples=4)]))
put("signed-16-bit.tif", tiff([gray(2, 2, 16, bytes(8), extra={339: (SHORT, [2])})]))
put("12-bit-samples.tif", tiff([gray(2, 2, 12, bytes(6))]))
put("float-nan.tif", tiff([gray(2, 2, 32, struct.pack("<4f", 0.0, float("nan"), 1.0, 2.0), extra={339: (SHORT, [3])})]))
good16 = tiff([gray(16, 16, 16, u16([9] * 256))])
put("truncated-strip.tif", good16[:-100])
put("truncated-header.tif", b"II*\0")
put("empty.tif", b"")
put("not-a-tiff.tif", b"P5 2 2 255\n\0\0\0\0")
put("huge-dimensions.tif", tiff([gray(70000, 70000, 16, bytes(8))]))
put("frame.bmp", b"BM" + bytes(60))


def png(width, height, depth, color, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


put("valid-16-bit.png", png(8, 8, 16, 0, [b"".join(struct.pack(">H", (r * 8 + c) * 1000) for c in range(8)) for r in range(8)]))
put("valid-12-bit-left-justified.png", png(8, 8, 16, 0, [b"".join(struct.pack(">H", ramp12[r * 8 + c] << 4) for c in range(8))
                                                           for r in range(8)]))
put("rgb.png", png(2, 2, 8, 2, [bytes(6), bytes(6)]))
put("gray-alpha.png", png(2, 2, 8, 4, [bytes(4), bytes(4)]))
