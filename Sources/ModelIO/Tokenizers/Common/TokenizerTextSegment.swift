/// A part of the input text: either text still to tokenize, or an added token already matched.
enum TokenizerTextSegment: Equatable {
    case text(String)
    case token(Int)
}
