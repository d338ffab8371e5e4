/// Batched sampling with a KV cache.
public enum GenerationNamespace {}
