import sys, csv, time, random, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, '.')
from e5torch import build
D = '/work/shared/data/arbanking77/'
train = list(csv.DictReader(open(D + 'Banking77_Arabized_MSA_PAL_train.csv')))
val = list(csv.DictReader(open(D + 'Banking77_Arabized_MSA_PAL_val.csv')))
tk, enc = build()
t0 = time.time(); lens = [len(tk.encode(r['text'])) for r in train]; print('tokenise train: %.1fs' % (time.time() - t0))
print('train rows', len(train), 'tokens/sent mean %.1f p50 %d p95 %d max %d' % (np.mean(lens), np.median(lens), np.percentile(lens, 95), max(lens)))
torch.set_num_threads(2); random.seed(0)
head = nn.Linear(384, 77)
opt = torch.optim.AdamW([{'params': enc.parameters(), 'lr': 5e-5}, {'params': head.parameters(), 'lr': 1e-3}])
enc.train(); ts = []
for step in range(6):
    b = random.sample(train, 32); ids, mask = tk.batch([r['text'] for r in b])
    t0 = time.time()
    loss = F.cross_entropy(head(enc(ids, mask)), torch.randint(0, 77, (32,)))
    loss.backward(); opt.step(); opt.zero_grad()
    ts.append(time.time() - t0); print('step', step, 'L', ids.shape[1], '%.2fs' % ts[-1])
st = np.median(ts[1:]); print('fwd+bwd+AdamW per batch32 (median): %.2fs -> %.1f min/epoch (%d steps)' % (st, st * len(train) / 32 / 60, len(train) // 32))
# freezing word embeddings (250k x 384 = 96M params -> sparse-ish grad + AdamW over whole table is the big cost)
enc.word.weight.requires_grad_(False)
opt = torch.optim.AdamW([{'params': [p for p in enc.parameters() if p.requires_grad], 'lr': 5e-5}, {'params': head.parameters(), 'lr': 1e-3}])
ts = []
for step in range(5):
    b = random.sample(train, 32); ids, mask = tk.batch([r['text'] for r in b])
    t0 = time.time()
    loss = F.cross_entropy(head(enc(ids, mask)), torch.randint(0, 77, (32,)))
    loss.backward(); opt.step(); opt.zero_grad(); ts.append(time.time() - t0)
st = np.median(ts[1:]); print('frozen word-emb: per batch32 %.2fs -> %.1f min/epoch' % (st, st * len(train) / 32 / 60))
# single-sentence inference
enc.eval(); sents = [r['text'] for r in val[:200]]
for nt in (1, 2):
    torch.set_num_threads(nt); lat = []
    with torch.inference_mode():
        for s in sents[:10]: enc(*tk.batch([s]))
        for s in sents:
            t0 = time.perf_counter(); e = head(enc(*tk.batch([s]))); lat.append(time.perf_counter() - t0)
    lat = np.array(lat) * 1000; print('torch fp32 inference %d thr: p50 %.1f ms p99 %.1f ms' % (nt, np.percentile(lat, 50), np.percentile(lat, 99)))
