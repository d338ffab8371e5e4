/// A score request's rows as text, for a reward worker that scores text rather than token ids (it asked
/// with `WorkerCapabilities.scoreTexts`): each row's prompt and response as the policy's tokenizer decodes
/// them, special tokens skipped, the text the learner's own VADER reward scores. On the wire they travel as
/// UTF-8 bytes, one row after another, with a length per row (`SequenceRequest.query_text` and
/// `response_text`), since a text may hold U+0000.
package struct SequenceTexts: Sendable, Equatable {
    /// Each row's prompt text.
    package var queries: [String]
    /// Each row's response text.
    package var responses: [String]

    /// Texts of `queries` and `responses`, one of each per row.
    package init(queries: [String], responses: [String]) { self.queries = queries; self.responses = responses }

    /// The texts of `request`'s rows, each row decoded by `decode`.
    package init(of request: SequenceRequest, decode: ([Int]) -> String) {
        self.init(queries: request.queries.map(decode), responses: request.responses.map(decode))
    }
}
