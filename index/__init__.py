"""index: a `Corpus` -> embeddings + FAISS + BM25 on disk; hybrid retrieval and cited answers."""
