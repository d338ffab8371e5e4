import ArgumentParser

/// The bounds every trainer (`rlhf dpo`, `sft`, `reward train`) puts on the flags they share, checked
/// in one place; each check throws the `ValidationError` that names the flag.
enum TrainingFlagChecks {
    /// `--epochs` in 1...1000, `--lr` in (0, 1), `--batch` in 1...4096.
    static func schedule(epochs: Int, lr: Double, batch: Int) throws {
        guard epochs >= 1, epochs <= 1000 else { throw ValidationError("--epochs must be between 1 and 1000") }
        guard lr > 0, lr.isFinite, lr < 1 else { throw ValidationError("--lr must be positive and below 1, got \(lr)") }
        try self.batch(batch)
    }

    /// `--batch` in 1...4096.
    static func batch(_ batch: Int) throws {
        guard batch >= 1, batch <= 4096 else { throw ValidationError("--batch must be between 1 and 4096") }
    }

    /// `--eval-fraction` in [0, 1); `--train-size` and `--eval-size`, when given, at least 1.
    static func split(evalFraction: Double, trainSize: Int?, evalSize: Int?) throws {
        guard evalFraction >= 0, evalFraction < 1 else { throw ValidationError("--eval-fraction must be in [0, 1), got \(evalFraction)") }
        if let n = trainSize, n < 1 { throw ValidationError("--train-size must be at least 1") }
        if let n = evalSize, n < 1 { throw ValidationError("--eval-size must be at least 1") }
    }
}
