/// Training loops and optimizer math (AdamW, schedules, clipping, losses).
public enum TrainingNamespace {}
