"""Faiss IndexPQ baseline for bench/pq.ts (run by it; not needed by npm test).

Reads the PQ codebooks, codes and queries that the TypeScript benchmark wrote, builds
a Faiss IndexPQ holding exactly those codes, and times its ADC search, batched and
one query at a time, on the requested thread count. Prints one JSON object.
usage: faiss_pq.py DIR D M KS THREADS SINGLE
"""
import json
import os
import sys
import time

import numpy as np
import faiss


def main():
    folder, d, M, ks, threads, single = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    faiss.omp_set_num_threads(threads)
    codebooks = np.fromfile(os.path.join(folder, "codebooks.f32"), dtype=np.float32)
    codes = np.fromfile(os.path.join(folder, "codes.u8"), dtype=np.uint8)
    queries = np.fromfile(os.path.join(folder, "queries.f32"), dtype=np.float32).reshape(-1, d)
    index = faiss.IndexPQ(d, M, 8)
    faiss.copy_array_to_vector(codebooks, index.pq.centroids)
    index.is_trained = True
    faiss.copy_array_to_vector(codes, index.codes)
    index.ntotal = codes.size // M
    out = {"version": faiss.__version__, "threads": threads, "n": index.ntotal, "code_size": index.code_size, "runs": []}
    for k in [int(v) for v in ks.split(",")]:
        index.search(queries[:10], k)  # warm-up
        t0 = time.perf_counter()
        _, ids = index.search(queries, k)
        batched = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(single):
            index.search(queries[i:i + 1], k)
        one = (time.perf_counter() - t0) / max(single, 1)
        ids.astype(np.int32).tofile(os.path.join(folder, "faiss_ids_k%d.i32" % k))
        out["runs"].append({"k": k, "batched_s": batched, "single_s": one})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
