"""Faiss baselines for bench/latency.ts (run by it; not needed by npm test).

Builds IndexIVFPQ (index_factory "IVF<nlist>,PQ8": 8-byte codes, as the zn_79 codes)
and IndexPQ (PQ8, exhaustive) on the raw SIFT base, trains the coarse quantizer as
spreadvec does (at most 64 points per list, 10 iterations), and for each nprobe
measures 1-recall@1/10/100 against the true neighbours, single-query latency
percentiles (k = 10) and the time of one batch of 1000 queries (k = BATCH_K,
default 100), on the requested threads. Prints one JSON object.
usage: faiss_ivf.py BASE.bvecs QUERY.bvecs GT.ivecs NLIST NPROBES THREADS NSINGLE
       faiss_ivf.py --raw BASE.f32 QUERY.f32 GT.i32 D GTK NLIST NPROBES THREADS NSINGLE [BATCH_K]
       (raw little-endian float32 rows of D values and int32 rows of GTK ids: bench/million.ts)
"""
import json
import sys
import time

import numpy as np
import faiss


def bvecs(path):
    raw = np.fromfile(path, dtype=np.uint8)
    d = int(raw[:4].view(np.int32)[0])
    return raw.reshape(-1, d + 4)[:, 4:].astype(np.float32)


def ivecs(path):
    raw = np.fromfile(path, dtype=np.int32)
    d = int(raw[0])
    return raw.reshape(-1, d + 1)[:, 1:]


def recalls(ids, gt):
    return {str(r): float(np.mean([gt[i, 0] in ids[i, :r] for i in range(len(ids))])) for r in (1, 10, 100)}


def measure(index, queries, gt, nsingle, batch_k=100):
    index.search(queries[:10], 10)
    t0 = time.perf_counter()
    _, ids = index.search(queries[:1000], batch_k)
    batch = time.perf_counter() - t0
    lat = []
    for i in range(nsingle):
        t0 = time.perf_counter()
        index.search(queries[i:i + 1], 10)
        lat.append((time.perf_counter() - t0) * 1000)
    _, all_ids = index.search(queries, 100)
    p = np.percentile(lat, [50, 95, 99])
    return {"recall": recalls(all_ids, gt), "p50_ms": p[0], "p95_ms": p[1], "p99_ms": p[2], "batch1000_s": batch}


def main():
    argv = sys.argv[1:]
    if argv[0] == "--raw":
        d, gtk = int(argv[4]), int(argv[5])
        base = np.fromfile(argv[1], dtype=np.float32).reshape(-1, d)
        query = np.fromfile(argv[2], dtype=np.float32).reshape(-1, d)
        gtf = np.fromfile(argv[3], dtype=np.int32).reshape(-1, gtk)
        argv = argv[6:]
    else:
        base, query, gtf = bvecs(argv[0]), bvecs(argv[1]), ivecs(argv[2])
        argv = argv[3:]
    nlist, nprobes, threads, nsingle = int(argv[0]), [int(v) for v in argv[1].split(",")], int(argv[2]), int(argv[3])
    batch_k = int(argv[4]) if len(argv) > 4 else 100
    faiss.omp_set_num_threads(threads)
    out = {"version": faiss.__version__, "threads": threads, "n": len(base), "nlist": nlist, "ivf": [], "pq": None}
    t0 = time.perf_counter()
    ivf = faiss.index_factory(base.shape[1], "IVF%d,PQ8" % nlist)
    ivf.cp.max_points_per_centroid = 64
    ivf.cp.niter = 10
    ivf.train(base)
    ivf.add(base)
    out["ivf_build_s"] = time.perf_counter() - t0
    for nprobe in nprobes:
        ivf.nprobe = nprobe
        out["ivf"].append(dict(nprobe=nprobe, **measure(ivf, query, gtf, nsingle, batch_k)))
    t0 = time.perf_counter()
    pq = faiss.IndexPQ(base.shape[1], 8, 8)
    pq.train(base[:100000])
    pq.add(base)
    out["pq_build_s"] = time.perf_counter() - t0
    out["pq"] = measure(pq, query, gtf, nsingle, batch_k)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
