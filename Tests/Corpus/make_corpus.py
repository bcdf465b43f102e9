#!/usr/bin/env python3
"""Regenerates the hand-made bad files of Tests/Corpus (see Tests/Corpus/README.md).

Usage: python3 Tests/Corpus/make_corpus.py [path/to/phasemask]

Each file is one specific defect; Tests/Corpus/expectations.tsv says which error each must give.
Binary formats are built byte by byte here (IDX, BMP, PNG, GDSII); the HDF5 files start from a
checkpoint and a design exported by `phasemask` itself and are then damaged with h5py. Needs numpy
and h5py. The files are committed; run this only to add or change cases.
"""
import gzip, json, os, shutil, struct, subprocess, sys, tempfile, zlib
import numpy as np
import h5py

ROOT = os.path.dirname(os.path.abspath(__file__))
PHASEMASK = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../../.build/debug/phasemask")


def put(reader, name, data):
    directory = os.path.join(ROOT, reader)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---------------------------------------------------------------- IDX (FashionMNIST)
def idx(magic, dims, body):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + body

images = bytes(range(2 * 3 * 4))                      # 2 images of 3×4
good_images = idx(0x803, [2, 3, 4], images)
put("idx", "bad-magic-images.idx", idx(0x804, [2, 3, 4], images))
put("idx", "valid-images.idx", good_images)
put("idx", "valid-labels.idx", idx(0x801, [3], b"\x01\x02\x09"))
put("idx", "magic-0801-in-images.idx", idx(0x801, [2], b"\x01\x02"))
put("idx", "truncated-header-images.idx", good_images[:9])
put("idx", "truncated-data-images.idx", good_images[:-5])
put("idx", "wrong-count-extra-bytes-images.idx", good_images + b"\x00" * 12)
put("idx", "zero-rows-images.idx", idx(0x803, [2, 0, 4], b""))
put("idx", "huge-count-images.idx", idx(0x803, [0xFFFFFFFF, 0xFFFF, 0xFFFF], images))
put("idx", "empty-images.idx", b"")
put("idx", "truncated-data-labels.idx", idx(0x801, [10], b"\x01\x02\x03"))
put("idx", "wrong-count-labels.idx", idx(0x801, [2], b"\x01\x02\x03\x04"))
gz = gzip.compress(good_images, mtime=0)
put("idx", "valid-images.idx.gz", gz)
put("idx", "bad-gzip-magic-images.idx.gz", b"\x1f\x8c" + gz[2:])
put("idx", "truncated-gzip-images.idx.gz", gz[: len(gz) // 2])
broken = bytearray(gz); broken[12] ^= 0xFF; broken[13] ^= 0x55
put("idx", "corrupt-deflate-images.idx.gz", bytes(broken))
crc = bytearray(gz); crc[-8] ^= 0x01
put("idx", "bad-gzip-crc-images.idx.gz", bytes(crc))
put("idx", "bad-magic-inside-gzip-images.idx.gz", gzip.compress(idx(0x903, [2, 3, 4], images), mtime=0))
put("idx", "not-gzip-named-gz-images.idx.gz", b"plain text, not gzip\n")


# ---------------------------------------------------------------- BMP and PNG (SLM frames of an 8×4, 8-bit panel)
def bmp(width=8, height=4, bits=8, compression=0, palette=None, colors_used=0, planes=1, header=40,
        pixels=None, offset=None, truncate=None):
    stride = (width * bits // 8 + 3) // 4 * 4
    if palette is None:
        palette = b"".join(bytes([g, g, g, 0]) for g in range(256)) if bits == 8 else b""
    data_offset = offset if offset is not None else 14 + header + len(palette)
    if pixels is None:
        pixels = bytes((x + y) % 256 for y in range(abs(height)) for x in range(stride))
    info = struct.pack("<IiiHHIIiiII", header, width, height, planes, bits, compression, len(pixels), 2835, 2835,
                       colors_used, 0) + b"\x00" * (header - 40)
    file_header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(palette) + len(pixels), 0, 0, data_offset)
    out = file_header + info + palette + pixels
    return out[:truncate] if truncate else out

put("bitmap", "wrong-size-16x4.bmp", bmp(width=16))
put("bitmap", "valid-top-down.bmp", bmp(height=-4))
put("bitmap", "valid.bmp", bmp())
put("bitmap", "wrong-size-8x5.bmp", bmp(height=5))
put("bitmap", "depth-24-bit.bmp", bmp(bits=24))
put("bitmap", "depth-4-bit.bmp", bmp(bits=4, palette=b"\x00" * 64))
put("bitmap", "depth-32-bit.bmp", bmp(bits=32))
put("bitmap", "compression-rle8.bmp", bmp(compression=1))
put("bitmap", "compression-bitfields.bmp", bmp(compression=3))
put("bitmap", "palette-300-entries.bmp", bmp(colors_used=300))
put("bitmap", "palette-index-out-of-range.bmp", bmp(palette=b"\x00\x00\x00\x00\xff\xff\xff\x00", colors_used=2))
put("bitmap", "palette-colored.bmp", bmp(palette=b"".join(bytes([0, g, 255 - g, 0]) for g in range(256))))
put("bitmap", "truncated-pixels.bmp", bmp(truncate=14 + 40 + 1024 + 10))
put("bitmap", "truncated-header.bmp", bmp(truncate=30))
put("bitmap", "os2-header.bmp", bmp(header=12)[:14] + struct.pack("<IHHHH", 12, 8, 4, 1, 8) + b"\x00" * 64)
put("bitmap", "zero-width.bmp", bmp(width=0))
put("bitmap", "negative-width.bmp", bmp(width=-8))
put("bitmap", "two-planes.bmp", bmp(planes=2))
put("bitmap", "offset-beyond-end.bmp", bmp(offset=1 << 30))
put("bitmap", "huge-dimensions.bmp", bmp(width=(1 << 20) - 1, height=(1 << 20) - 1, pixels=b"\x00" * 16))
put("bitmap", "not-a-bmp.bmp", b"PK\x03\x04 this is a zip header")
put("bitmap", "empty.bmp", b"")


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

def png(width=8, height=4, depth=8, color=0, rows=None, extra=b"", interlace=0, plte=None, crc_error=False,
        truncate=None, signature=b"\x89PNG\r\n\x1a\n"):
    samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    row_bytes = (width * samples * depth + 7) // 8
    if rows is None:
        rows = b"".join(b"\x00" + bytes((x + y) % 256 for x in range(row_bytes)) for y in range(height))
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace))
    if crc_error:
        ihdr = ihdr[:-1] + bytes([ihdr[-1] ^ 0xFF])
    body = signature + ihdr + (chunk(b"PLTE", plte) if plte else b"") + extra
    body += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return body[:truncate] if truncate else body

put("bitmap", "wrong-size-8x8.png", png(height=8))
put("bitmap", "valid.png", png())
put("bitmap", "valid.csv", "\n".join(",".join(str(x * y) for x in range(8)) for y in range(4)) + "\n")
put("bitmap", "depth-16-bit.png", png(depth=16))
put("bitmap", "depth-1-bit.png", png(depth=1))
put("bitmap", "palette.png", png(color=3, plte=bytes(range(24)), rows=b"".join(b"\x00" + bytes(x % 8 for x in range(8)) for _ in range(4))))
put("bitmap", "rgb.png", png(color=2))
put("bitmap", "gray-alpha.png", png(color=4))
put("bitmap", "truncated-idat.png", png(truncate=8 + 25 + 20))
put("bitmap", "truncated-signature.png", png(truncate=5))
put("bitmap", "bad-ihdr-crc.png", png(crc_error=True))
put("bitmap", "bad-signature.png", png(signature=b"\x89PNG\n\r\x1a\n"))
put("bitmap", "huge-dimensions.png", png(width=1 << 30, height=1 << 30, rows=b"\x00" * 10))
put("bitmap", "idat-too-short.png", png(rows=b"\x00" * 9 * 2))
put("bitmap", "bad-depth-3.png", png(depth=3))
put("bitmap", "wrong-size.csv", "1,2,3\n4,5,6\n")
put("bitmap", "gray-above-max.csv", "\n".join(",".join(["300"] * 8) for _ in range(4)) + "\n")
put("bitmap", "non-numeric.csv", "\n".join(",".join(["x"] * 8) for _ in range(4)) + "\n")


# ---------------------------------------------------------------- GDSII
def rec(kind, dtype, payload=b""):
    return struct.pack(">HBB", 4 + len(payload), kind, dtype) + payload

def gds(structures=None, tail=None):
    units = bytes.fromhex("3E4189374BC6A7EF") + bytes.fromhex("3944B82FA09B5A54")
    out = rec(0x00, 2, struct.pack(">h", 600)) + rec(0x01, 2, b"\x00\x01" * 12) + rec(0x02, 6, b"LIB0")
    out += rec(0x03, 5, units)
    if structures is None:
        box = struct.pack(">10i", 0, 0, 1000, 0, 1000, 1000, 0, 1000, 0, 0)
        structures = (rec(0x05, 2, b"\x00\x01" * 12) + rec(0x06, 6, b"TOP\x00") + rec(0x08, 0)
                      + rec(0x0D, 2, b"\x00\x01") + rec(0x0E, 2, b"\x00\x00") + rec(0x10, 3, box) + rec(0x11, 0)
                      + rec(0x07, 0))
    out += structures
    return out + (rec(0x04, 0) if tail is None else tail)

good = gds()
put("gds", "valid.gds", good)
put("gds", "truncated-mid-record.gds", good[:len(good) - 30])
put("gds", "truncated-in-header.gds", good[:3])
put("gds", "no-endlib.gds", gds(tail=b""))
put("gds", "odd-record-length.gds", good[:6] + struct.pack(">H", 29) + good[8:])
put("gds", "record-length-2.gds", good[:6] + struct.pack(">H", 2) + good[8:])
put("gds", "record-length-beyond-end.gds", good[:6] + struct.pack(">H", 0xFFF0) + good[8:])
put("gds", "unknown-data-type.gds", good[:9] + b"\x09" + good[10:])
put("gds", "xy-odd-coordinates.gds", gds(structures=rec(0x05, 2, b"\x00\x01" * 12) + rec(0x06, 6, b"TOP\x00")
                                         + rec(0x08, 0) + rec(0x0D, 2, b"\x00\x01") + rec(0x0E, 2, b"\x00\x00")
                                         + rec(0x10, 3, struct.pack(">9i", *range(9))) + rec(0x11, 0) + rec(0x07, 0)))
put("gds", "open-polygon.gds", gds(structures=rec(0x05, 2, b"\x00\x01" * 12) + rec(0x06, 6, b"TOP\x00")
                                   + rec(0x08, 0) + rec(0x0D, 2, b"\x00\x01") + rec(0x0E, 2, b"\x00\x00")
                                   + rec(0x10, 3, struct.pack(">8i", 0, 0, 5, 0, 5, 5, 0, 5)) + rec(0x11, 0) + rec(0x07, 0)))
put("gds", "path-element.gds", gds(structures=rec(0x05, 2, b"\x00\x01" * 12) + rec(0x06, 6, b"TOP\x00")
                                   + rec(0x09, 0) + rec(0x0D, 2, b"\x00\x01") + rec(0x07, 0)))
put("gds", "bgnstr-short.gds", gds(structures=rec(0x05, 2, b"\x00\x01" * 4) + rec(0x06, 6, b"TOP\x00") + rec(0x07, 0)))
put("gds", "units-wrong-size.gds", good[:6 + 28 + 8] + rec(0x03, 5, b"\x00" * 8) + good[6 + 28 + 8 + 20:])
put("gds", "int16-payload-odd.gds", rec(0x00, 2, b"\x02\x58\x00") + good[6:])
put("gds", "not-gds.gds", b"%PDF-1.4 not a stream file")
put("gds", "empty.gds", b"")


# ---------------------------------------------------------------- SLM profile JSON
base = {"name": "lab SLM", "columns": 1920, "rows": 1080, "pixelPitch": 8e-6, "bitDepth": 8, "gray2Pi": 256,
        "designWavelength": 633e-9}
def profile(file_name, **changes):
    p = dict(base)
    for k, v in changes.items():
        if v is None: p.pop(k)
        else: p[k] = v
    put("slm-profile", file_name, json.dumps(p, indent=1))

profile("valid.json")
profile("valid-inverted-10-bit.json", bitDepth=10, gray2Pi=1024, inverted=True)

profile("missing-pixelPitch.json", pixelPitch=None)
profile("missing-name.json", name=None)
profile("zero-pitch.json", pixelPitch=0)
profile("negative-pitch.json", pixelPitch=-8e-6)
profile("bit-depth-0.json", bitDepth=0)
profile("bit-depth-33.json", bitDepth=33)
profile("gray2pi-above-range.json", gray2Pi=257)
profile("gray2pi-1.json", gray2Pi=1)
profile("negative-columns.json", columns=-1920)
profile("huge-rows.json", rows=10 ** 9)
profile("columns-not-integer.json", columns=1920.5)
profile("pitch-is-string.json", pixelPitch="8 um")
profile("empty-name.json", name="  ")
profile("inverted-not-bool.json", inverted="yes")
put("slm-profile", "wavelength-null.json", json.dumps(dict(base, designWavelength=None)))
put("slm-profile", "number-overflow.json", json.dumps(base).replace('"columns": 1920', '"columns": 1e400'))
put("slm-profile", "not-json.json", "name = lab SLM\ncolumns = 1920\n")
put("slm-profile", "truncated.json", json.dumps(base)[:40])
put("slm-profile", "array-not-object.json", "[1920, 1080]")
put("slm-profile", "empty.json", "")


# ---------------------------------------------------------------- LUT CSV (gray,phase for an 8-bit panel)
put("lut", "non-numeric-phase.csv", "gray,phase\n0,0.0\n1,abc\n2,0.1\n")
put("lut", "valid.csv", "gray,phase\n" + "".join(f"{g},{g * 6.283185307179586 / 256:.6f}\n" for g in range(0, 256, 16)))
# Measured tables wrap and wiggle: a non-monotonic table is accepted (PhaseLUT picks the nearest phase).
put("lut", "valid-non-monotonic.csv", "# measured\n0,0.1\n10,1.9\n20,1.7\n30,4.0\n40,6.2\n50,0.05\n")
put("lut", "non-numeric-gray.csv", "gray,phase\n0,0.0\nten,0.05\n")
put("lut", "three-columns.csv", "gray,phase,extra\n0,0.0,1\n1,0.1,2\n")
put("lut", "ragged-row.csv", "0,0.0\n1,0.1\n2\n3,0.3\n")
put("lut", "one-entry.csv", "gray,phase\n0,0.0\n")
put("lut", "header-only.csv", "gray,phase\n")
put("lut", "empty.csv", "")
put("lut", "gray-above-255.csv", "0,0.0\n128,3.1\n300,6.0\n")
put("lut", "negative-gray.csv", "-1,0.0\n1,0.1\n")
put("lut", "gray-not-integer.csv", "0,0.0\n1.5,0.1\n")
put("lut", "duplicate-gray.csv", "0,0.0\n1,0.1\n1,0.2\n")
put("lut", "nan-phase.csv", "0,0.0\n1,nan\n")
put("lut", "infinite-phase.csv", "0,0.0\n1,inf\n")
put("lut", "unterminated-quote.csv", "0,0.0\n\"1,0.1\n")
put("lut", "not-utf8.csv", b"0,0.0\n1,\xff\xfe0.1\n")
put("lut", "semicolons.csv", "0;0.0\n1;0.1\n")


# ---------------------------------------------------------------- HDF5: checkpoints and design files
work = tempfile.mkdtemp()
def run(*args):
    subprocess.run([PHASEMASK, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)

tiny = ["train", "--mode", "e2e", "--preset", "tiny", "--size", "16", "--depth", "1", "--channels", "1",
        "--iterations", "1", "--epochs", "1", "--train-size", "16", "--val-size", "4", "--test-size", "4",
        "--batch", "16", "--threads", "1"]
run(*tiny, "--out", "ckpt")
source = os.path.join(work, "ckpt", "checkpoint.h5")
V110 = ("earliest", "v110")

def compact(path, keep_optimizer):
    """A fresh copy without free space (and optionally without /optimizer), so corpus files stay small."""
    out = path + (".opt" if keep_optimizer else "") + ".small"
    with h5py.File(path, "r") as src, h5py.File(out, "w", libver=V110) as dst:
        for k, v in src.attrs.items(): dst.attrs[k] = v
        for name in src:
            if name == "optimizer" and not keep_optimizer: continue
            src.copy(name, dst)
    return out

small = compact(source, keep_optimizer=False)
with_optimizer = compact(source, keep_optimizer=True)

def checkpoint(name, damage, base=None):
    path = os.path.join(work, name)
    shutil.copy(base or small, path)
    if damage:
        with h5py.File(path, "r+", libver=V110) as f: damage(f)
    put("checkpoint", name, open(compact(path, keep_optimizer=True) if damage else path, "rb").read())

def set_config(f, **changes):
    c = json.loads(f.attrs["config"]); c.update(changes); f.attrs["config"] = json.dumps(c)

def replace(f, path, data):
    attributes = dict(f[path].attrs)
    del f[path]; f[path] = data
    for k, v in attributes.items(): f[path].attrs[k] = v

blob = open(small, "rb").read()
put("checkpoint", "valid.h5", blob)
put("checkpoint", "valid-with-optimizer.h5", open(with_optimizer, "rb").read())
put("checkpoint", "truncated-half.h5", blob[: len(blob) // 2])
put("checkpoint", "truncated-superblock.h5", blob[:40])
put("checkpoint", "not-hdf5.h5", b"this is a text file named .h5\n" * 4)
checkpoint("missing-dataset-psi.h5", lambda f: f.__delitem__("parameters/psi"))
checkpoint("wrong-shape-psi.h5", lambda f: replace(f, "parameters/psi", np.zeros((3, 3), "float32")))
checkpoint("wrong-type-phi-int32.h5", lambda f: replace(f, "parameters/phi", np.zeros(f["parameters/phi"].shape, "int32")))
checkpoint("nan-in-phi.h5", lambda f: f["parameters/phi"].__setitem__((0, 3, 4), np.nan))
checkpoint("inf-in-optimizer-moment.h5",
           lambda f: f["optimizer/v/psi"].__setitem__((1, 1), np.inf), base=with_optimizer)
checkpoint("optimizer-steps-wrong-length.h5",
           lambda f: replace(f, "optimizer/steps", np.zeros(2, "int64")), base=with_optimizer)
checkpoint("architecture-depth2-config-depth1-parameters.h5", lambda f: set_config(f, depth=2))
checkpoint("architecture-channels2-config.h5",
           lambda f: (set_config(f, channels=2)))
checkpoint("config-depth-70.h5", lambda f: set_config(f, depth=70))
checkpoint("config-size-not-divisible.h5", lambda f: set_config(f, size=17))
checkpoint("config-not-json.h5", lambda f: f.attrs.__setitem__("config", "{depth: 2"))
checkpoint("config-missing.h5", lambda f: f.attrs.__delitem__("config"))
checkpoint("format-design-file.h5", lambda f: f.attrs.__setitem__("format", "phasemask-design"))
checkpoint("order-not-json.h5", lambda f: f["parameters"].attrs.__setitem__("order", "phi psi"))
checkpoint("history-not-json.h5", lambda f: f["history"].attrs.__setitem__("epochs", "[{"))
checkpoint("progress-step-beyond-epoch.h5", lambda f: f["progress"].attrs.__setitem__("step", 1000))
checkpoint("progress-negative-epoch.h5", lambda f: f["progress"].attrs.__setitem__("epoch", -3))
checkpoint("progress-missing.h5", lambda f: f.__delitem__("progress"))
checkpoint("buffer-wrong-type-string.h5", lambda f: replace(f, "buffers/" + list(f["buffers"])[0], "text"))

# A design exported by phasemask from an 8×8 mask onto a 16×8 8-bit panel.
with h5py.File(os.path.join(work, "mask.h5"), "w", libver=V110) as f:
    f["phi"] = np.random.default_rng(1).uniform(0, 6.28, (1, 8, 8)).astype("float32")
with open(os.path.join(work, "panel.json"), "w") as f:
    json.dump({"name": "corpus", "columns": 16, "rows": 8, "pixelPitch": 8e-6, "bitDepth": 8, "gray2Pi": 256,
               "designWavelength": 633e-9}, f)
run("export", "--mask", "mask.h5:/phi", "--slm", "panel.json", "--scenes", "1", "--levels", "4", "--out", "design",
    "--name", "design")
design = os.path.join(work, "design", "design.h5")

def damaged_design(name, damage):
    path = os.path.join(work, name)
    shutil.copy(design, path)
    with h5py.File(path, "r+", libver=V110) as f: damage(f)
    put("design", name, open(path, "rb").read())

def set_profile(f, **changes):
    p = json.loads(f["slm/display"].attrs["profile_json"]); p.update(changes)
    f["slm/display"].attrs["profile_json"] = json.dumps(p)

dblob = open(design, "rb").read()
put("design", "valid.h5", dblob)
put("design", "truncated-half.h5", dblob[: len(dblob) // 2])
damaged_design("missing-levels.h5", lambda f: f.__delitem__("mask/levels"))
damaged_design("changed-phase-value.h5", lambda f: f["mask/phase"].__setitem__((0, 2, 3), (f["mask/phase"][0, 2, 3] + 1.5) % 6.28))
damaged_design("display-truncated-rows.h5", lambda f: replace(f, "slm/display", f["slm/display"][:, :5, :]))
damaged_design("display-gray-above-max.h5", lambda f: f["slm/display"].__setitem__((0, 0, 0), 4000))
damaged_design("display-wrong-type-float.h5", lambda f: replace(f, "slm/display", f["slm/display"][...].astype("float32")))
damaged_design("profile-bit-depth-33.h5", lambda f: set_profile(f, bitDepth=33))
damaged_design("profile-other-panel.h5", lambda f: set_profile(f, columns=20))
damaged_design("nan-in-cdp.h5", lambda f: f["verification/cdp"].__setitem__((0, 0, 1, 1), np.nan))
damaged_design("format-version-99.h5", lambda f: f.attrs.__setitem__("format_version", 99))
damaged_design("unknown-mapping.h5", lambda f: f["slm/display"].attrs.__setitem__("mapping", "gamma"))
damaged_design("levels-out-of-range.h5", lambda f: f["mask/levels"].__setitem__((0, 0, 0), 17))
damaged_design("oversampling-zero.h5", lambda f: f["verification"].attrs.__setitem__("oversampling", 0))
damaged_design("oversampling-huge.h5", lambda f: f["verification"].attrs.__setitem__("oversampling", 2 ** 62))
damaged_design("superpixel-huge.h5", lambda f: f["slm/display"].attrs.__setitem__("superpixel", 2 ** 62))
damaged_design("created-not-a-date.h5", lambda f: f["design"].attrs.__setitem__("created_utc", "yesterday"))
damaged_design("scenes-wrong-rank.h5", lambda f: replace(f, "verification/scenes", f["verification/scenes"][0]))

# The same mask exported for a lensless sensor 0.5 mm behind it (Fresnel, padded by 2): /sensing.
run("export", "--mask", "mask.h5:/phi", "--slm", "panel.json", "--scenes", "1", "--levels", "4", "--out", "near",
    "--name", "design", "--propagation", "fresnel", "--pixel-pitch-um", "8", "--wavelength-nm", "633",
    "--distance-mm", "0.5", "--pad", "2")
design = os.path.join(work, "near", "design.h5")
put("design", "valid-near-field.h5", open(design, "rb").read())
damaged_design("sensing-distance-negative.h5", lambda f: f["sensing"].attrs.__setitem__("distance_m", -1e-3))
damaged_design("sensing-distance-aliases.h5", lambda f: f["sensing"].attrs.__setitem__("distance_m", 0.05))
damaged_design("sensing-pad-disagrees.h5", lambda f: f["sensing"].attrs.__setitem__("pad", 3))
damaged_design("sensing-unknown-model.h5", lambda f: f["sensing"].attrs.__setitem__("propagation", "fraunhofer"))
damaged_design("sensing-missing-wavelength.h5", lambda f: f["sensing"].attrs.__delitem__("wavelength_m"))
damaged_design("sensing-pad-string.h5", lambda f: f["sensing"].attrs.__setitem__("pad", "two"))
shutil.rmtree(work)
print("corpus written to", ROOT)
