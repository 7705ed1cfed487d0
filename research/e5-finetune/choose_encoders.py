"""Val-only choice of which fine-tuned encoders to put side by side (LR on the concatenation)."""
import sys, itertools, numpy as np
from pathlib import Path
sys.path.insert(0, 'bench'); sys.path.insert(0, 'src')
from arbanking77 import DEFAULT_DATA, FILES, read
from arbanking77_encoder import FineTunedEncoder
from sklearn.linear_model import LogisticRegression
from awn.nlu.evaluation import macro_f1
tr = read(DEFAULT_DATA / FILES['train']); va = read(DEFAULT_DATA / FILES['val'])
folders = [Path(f) for f in sys.argv[1:]]
for f in folders:
    if not (f / 'Xv.npy').exists():
        e = FineTunedEncoder([f], 'x', 32, True, 1)
        np.save(f / 'Xt.npy', e.embed(tr[0])); np.save(f / 'Xv.npy', e.embed(va[0]))
X = {f: (np.load(f / 'Xt.npy'), np.load(f / 'Xv.npy')) for f in folders}
for n in (1, 2, 3):
    for combo in itertools.combinations(folders, n):
        Xt = np.concatenate([X[f][0] for f in combo], 1); Xv = np.concatenate([X[f][1] for f in combo], 1)
        m = LogisticRegression(C=10, max_iter=3000).fit(Xt, tr[1])
        print(' + '.join(f.name for f in combo), 'val macro-F1 %.4f' % macro_f1(va[1], list(m.predict(Xv))), flush=True)
