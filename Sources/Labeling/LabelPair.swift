/// A pair to label: a prompt and two responses, as `rlhf pairs --labeler none` writes them.
package struct LabelPair: Sendable, Equatable {
    /// Its id in the database (its line's order in the pairs file, from 1).
    package var id: Int64
    package var prompt: String, responseA: String, responseB: String

    package init(id: Int64, prompt: String, responseA: String, responseB: String) {
        self.id = id
        self.prompt = prompt
        self.responseA = responseA
        self.responseB = responseB
    }
}
