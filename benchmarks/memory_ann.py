"""Which approximate-nearest-neighbour index for the episodic vectors: the exact product
(numpy, float32 and float16) against usearch (float32, float16, int8 HNSW), hnswlib and
faiss' HNSW, at 100k vectors of 384 dimensions (all-MiniLM-L6-v2's size) — build time,
single-query p50 / p99 and how many of the exact top 50 each finds.

    .venv/bin/python benchmarks/memory_ann.py            # what is installed (numpy, usearch)
    # all candidates, in a throw-away venv (hnswlib and faiss are not dependencies):
    python -m venv /tmp/annvenv && /tmp/annvenv/bin/pip install numpy==2.4.6 \\
        usearch==2.26.6 hnswlib==0.8.0 faiss-cpu==1.15.1
    /tmp/annvenv/bin/python benchmarks/memory_ann.py

Vectors: like ``benchmarks/memory.py`` (``--base`` random unit vectors, each archived
vector one of them plus Gaussian noise σ 0.02, renormalised: many near-duplicates, which
is hard for a graph index); queries: 200 base vectors plus noise σ 0.05. Builds use two
threads, queries one. Not a test: it prints a table."""

from __future__ import annotations

import argparse
import importlib.util
import os
import time

import numpy as np


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=5000)
    parser.add_argument("--k", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    dim, k = 384, args.k
    base = rng.normal(size=(args.base, dim)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    data = base[rng.integers(0, args.base, args.n)]
    data = data + rng.normal(0, 0.02, data.shape).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = base[rng.integers(0, args.base, 200)]
    queries = queries + rng.normal(0, 0.05, queries.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    def exact(matrix):
        def search(q):
            scores = matrix @ q.astype(matrix.dtype)
            return np.argpartition(-scores, k)[:k]

        return search

    truth = [set(exact(data)(q)) for q in queries]
    candidates = [
        ("numpy exact f32", lambda: exact(data)),
        ("numpy exact f16", lambda: exact(data.astype(np.float16))),
    ]
    if importlib.util.find_spec("usearch"):
        from usearch.index import Index

        def usearch(dtype):
            def build():
                index = Index(ndim=dim, metric="cos", dtype=dtype, connectivity=16)
                index.add(np.arange(args.n, dtype=np.uint64), data, threads=2)
                return lambda q: index.search(q, k, threads=1).keys

            return build

        candidates += [(f"usearch HNSW {d}", usearch(d)) for d in ("f32", "f16", "i8")]
    if importlib.util.find_spec("hnswlib"):
        import hnswlib

        def hnsw():
            index = hnswlib.Index(space="ip", dim=dim)
            index.init_index(max_elements=args.n, ef_construction=128, M=16)
            index.set_num_threads(2)
            index.add_items(data, np.arange(args.n))
            index.set_ef(64)
            index.set_num_threads(1)
            return lambda q: index.knn_query(q, k=k)[0][0]

        candidates.append(("hnswlib HNSW f32", hnsw))
    if importlib.util.find_spec("faiss"):
        import faiss

        def faiss_hnsw():
            faiss.omp_set_num_threads(2)
            index = faiss.IndexHNSWFlat(dim, 16, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 128
            index.add(data)
            index.hnsw.efSearch = 64
            faiss.omp_set_num_threads(1)
            return lambda q: index.search(q[None], k)[1][0]

        candidates.append(("faiss HNSWFlat f32", faiss_hnsw))

    print(f"{args.n} vectors x {dim}, top {k}; load average {os.getloadavg()[0]:.1f}")
    print("| method | build s | p50 ms | p99 ms | share of exact top 50 found |")
    print("|---|---|---|---|---|")
    for name, make in candidates:
        t = time.perf_counter()
        search = make()
        build = time.perf_counter() - t
        times, found = [], 0.0
        for q, want in zip(queries, truth, strict=True):
            t = time.perf_counter()
            keys = search(q)
            times.append(time.perf_counter() - t)
            found += len(set(int(x) for x in keys) & want) / k
        print(
            f"| {name} | {build:.1f} | {pct(times, 50) * 1000:.2f} | "
            f"{pct(times, 99) * 1000:.2f} | {found / len(queries):.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
