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
        # Best of 3, as the TypeScript side measures (the least disturbed run on a
        # shared machine); single queries: passes of up to SINGLE queries or 10 s.
        index.search(queries[:10], k)  # warm-up
        batched = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            _, ids = index.search(queries, k)
            batched = min(batched, time.perf_counter() - t0)
        one = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            done = 0
            while done < single and (done == 0 or time.perf_counter() - t0 < 10):
                index.search(queries[done:done + 1], k)
                done += 1
            one = min(one, (time.perf_counter() - t0) / done)
        ids.astype(np.int32).tofile(os.path.join(folder, "faiss_ids_k%d.i32" % k))
        out["runs"].append({"k": k, "batched_s": batched, "single_s": one})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
