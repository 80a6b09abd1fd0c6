#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a pack holding one blob whose zlib stream is padded with empty
stored blocks until it is longer than PAD bytes: a valid stream (git
reads it), but longer than zlib's own bound for its size, so a reader
that takes a bounded read window must fall back to reading it whole.

usage: padded-pack.py BLOB-FILE OUT.pack PAD
"""
import hashlib
import struct
import sys
import zlib


def entry_header(kind, size):
    # type in bits 4-6 of the first byte, size as git's varint
    c = (kind << 4) | (size & 15)
    size >>= 4
    out = bytearray()
    while size:
        out.append(c | 0x80)
        c = size & 0x7F
        size >>= 7
    out.append(c)
    return bytes(out)


def main():
    data = open(sys.argv[1], "rb").read()
    pad = int(sys.argv[3])
    z = zlib.compressobj()
    stream = z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
    while len(stream) < pad:
        # each sync flush with no input is an empty stored block
        stream += z.flush(zlib.Z_SYNC_FLUSH) or b"\x00\x00\x00\xff\xff"
    stream += z.flush(zlib.Z_FINISH)
    assert zlib.decompress(stream) == data
    body = b"PACK" + struct.pack(">II", 2, 1)
    body += entry_header(3, len(data)) + stream
    with open(sys.argv[2], "wb") as f:
        f.write(body + hashlib.sha1(body).digest())


main()
