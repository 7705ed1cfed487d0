"""Average fine-tuned checkpoints that share their starting point (a "model soup", Wortsman et al., 2022).

    python soup.py OUT.pt A.pt B.pt [C.pt ...] [--threads 2]

Runs of finetune3.py that start from the same pre-trained body and the same head (same --seed,
different --order-seed) stay close enough in weight space that their mean is a model of its own,
often better than each: an ensemble's gain at one encoder's cost (the latency goal leaves room for
one encoder only). Writes OUT.pt in finetune3.py's format and prints the val macro-F1 of every
input and of the mean, each with its own fine-tuned head (val only; the test splits are never
opened here), so the choice between them is made on val.
"""
import argparse, csv, os, sys
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e5torch import build

ap = argparse.ArgumentParser()
ap.add_argument('out'); ap.add_argument('inputs', nargs='+'); ap.add_argument('--threads', type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
states = [torch.load(p, weights_only=False) for p in a.inputs]
for p, s in zip(a.inputs[1:], states[1:]):
    assert s['labels'] == states[0]['labels'] and s['layers'] == states[0]['layers'], p
    assert s['enc'].keys() == states[0]['enc'].keys(), p


def mean(dicts):
    return {k: torch.stack([d[k].float() for d in dicts]).mean(0).to(dicts[0][k].dtype) for k in dicts[0]}


soup = {'enc': mean([s['enc'] for s in states]), 'head': mean([s['head'] for s in states]),
        'labels': states[0]['labels'], 'layers': states[0]['layers'], 'soup_of': a.inputs}
torch.save(soup, a.out)

D = '/work/shared/data/arbanking77/'
val = list(csv.DictReader(open(D + 'Banking77_Arabized_MSA_PAL_val.csv', encoding='utf-8')))
labels = soup['labels']; L2I = {l: i for i, l in enumerate(labels)}
yv = np.array([L2I[r['label']] for r in val])
tk, enc = build()
enc.layers = enc.layers[:soup['layers']]
head = torch.nn.Linear(384, len(labels))
order = sorted(range(len(val)), key=lambda i: len(tk.encode(val[i]['text'])))


def val_f1(state):
    missing, unexpected = enc.load_state_dict(state['enc'], strict=False)
    assert missing == ['word.weight'] and not unexpected, (missing, unexpected)
    head.load_state_dict(state['head']); enc.eval()
    U = torch.zeros(len(val), 384)
    with torch.inference_mode():
        for j in range(0, len(order), 128):
            b = order[j:j + 128]; U[b] = enc(*tk.batch([val[i]['text'] for i in b]))
        norms = U.norm(dim=1, keepdim=True)
        # as served: the exported body gives unit vectors, so the head meets them scaled by one median norm
        scores = {'head': head(U), 'head on median-norm unit vectors': head(U / norms * norms.median())}
    out = []
    for name, Z in scores.items():
        P = Z.argmax(-1).numpy()
        f1 = np.mean([2 * ((P == c) & (yv == c)).sum() / max(1, (P == c).sum() + (yv == c).sum()) for c in range(len(labels))])
        out.append('%s %.4f' % (name, f1))
    return ', '.join(out) + ' (norm median %.2f, IQR %.2f-%.2f)' % tuple(np.quantile(norms.numpy(), [0.5, 0.25, 0.75]))


for p, s in zip(a.inputs, states):
    print('%s: val macro-F1: %s' % (p, val_f1(s)), flush=True)
print('soup %s: val macro-F1: %s' % (a.out, val_f1(soup)), flush=True)
