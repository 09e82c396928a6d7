"""The index: embedder, vector store, lexical (BM25) index and the manifest that is their truth."""
