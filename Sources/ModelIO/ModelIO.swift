/// Checkpoint and tokenizer formats.
public enum ModelIONamespace {}
