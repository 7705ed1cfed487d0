import sys, csv, time, random, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, '.')
from e5torch import build
torch.set_num_threads(2); random.seed(0); torch.manual_seed(0)
STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 300; EVAL = [int(x) for x in sys.argv[2].split(',')] if len(sys.argv) > 2 else [100, 200, 300]
D = '/work/shared/data/arbanking77/'
train = list(csv.DictReader(open(D + 'Banking77_Arabized_MSA_PAL_train.csv')))
val = list(csv.DictReader(open(D + 'Banking77_Arabized_MSA_PAL_val.csv')))   # test splits never touched
labels = sorted({r['label'] for r in train}); L2I = {l: i for i, l in enumerate(labels)}; assert len(labels) == 77
tk, enc = build(); head = nn.Linear(384, 77)
enc.word.weight.requires_grad_(False)   # 96M-param table frozen (tiny speed/memory win; body otherwise fully trained)
opt = torch.optim.AdamW([{'params': [p for p in enc.parameters() if p.requires_grad], 'lr': 5e-5, 'weight_decay': 0.01},
                         {'params': head.parameters(), 'lr': 1e-3, 'weight_decay': 0.01}])
WARM = 30
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / WARM, max(0.0, (STEPS - s) / (STEPS - WARM))))
# length-bucketed batches: shuffle, take chunks of 32*50, sort by length inside chunk
idx = list(range(len(train))); random.shuffle(idx)
batches = []
for c in range(0, len(idx), 32 * 50):
    ch = sorted(idx[c:c + 32 * 50], key=lambda i: len(tk.encode(train[i]['text'])))
    batches += [ch[j:j + 32] for j in range(0, len(ch), 32)]
random.shuffle(batches)
def evaluate():
    enc.eval(); preds = []
    order = sorted(range(len(val)), key=lambda i: len(tk.encode(val[i]['text'])))
    P = np.zeros(len(val), int)
    with torch.inference_mode():
        for j in range(0, len(order), 128):
            b = order[j:j + 128]; P[b] = head(enc(*tk.batch([val[i]['text'] for i in b]))).argmax(-1).numpy()
    enc.train()
    y = np.array([L2I[r['label']] for r in val]); acc = (P == y).mean()
    f1 = np.mean([2 * ((P == c) & (y == c)).sum() / max(1, (P == c).sum() + (y == c).sum()) for c in range(77)])
    return acc, f1
enc.train(); t0 = time.time(); tf = tb = to = 0; losses = []
for step in range(1, STEPS + 1):
    b = batches[(step - 1) % len(batches)]
    ids, mask = tk.batch([train[i]['text'] for i in b]); y = torch.tensor([L2I[train[i]['label']] for i in b])
    a = time.time(); loss = F.cross_entropy(head(enc(ids, mask)), y); b1 = time.time()
    loss.backward(); b2 = time.time(); opt.step(); opt.zero_grad(); sched.step(); b3 = time.time()
    tf += b1 - a; tb += b2 - b1; to += b3 - b2; losses.append(loss.item())
    if step % 25 == 0:
        print('step %d loss %.3f | %.2fs/step (fwd %.2f bwd %.2f opt %.2f) elapsed %.0fs' % (step, np.mean(losses[-25:]), (tf + tb + to) / step, tf / step, tb / step, to / step, time.time() - t0), flush=True)
    if step in EVAL:
        e0 = time.time(); acc, f1 = evaluate()
        print('EVAL step %d (%.1f%% of epoch): val acc %.4f macroF1 %.4f (eval %.0fs)' % (step, 100 * step * 32 / len(train), acc, f1, time.time() - e0), flush=True)
torch.save({'enc': enc.state_dict(), 'head': head.state_dict(), 'labels': labels}, 'ft2_ckpt.pt')
