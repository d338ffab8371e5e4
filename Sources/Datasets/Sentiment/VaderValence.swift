/// The valence of each word of one text under VADER's word-level rules (vaderSentiment 3.3.2's
/// `sentiment_valence` and the checks it calls), before the text-level "but" rule.
struct VaderValence {
    let lexicon: VaderLexicon
    let words: [VaderToken]
    /// Some but not all words are ALL CAPS: only then do capitals add emphasis.
    let capsDiffer: Bool

    init(lexicon: VaderLexicon, words: [VaderToken]) {
        self.lexicon = lexicon
        self.words = words
        let caps = words.count(where: \.isUpper)
        capsDiffer = caps > 0 && caps < words.count
    }

    private func lower(_ i: Int) -> CodePoints { words[i].lower }

    /// Every word's valence: 0 for boosters, for "kind" in "kind of" and for words outside the lexicon.
    func valences() -> [Double] {
        words.indices.map { i in
            if VaderRules.boosters[lower(i)] != nil { return 0 }
            if i < words.count - 1 && lower(i) == "kind" && lower(i + 1) == "of" { return 0 }
            return valence(at: i)
        }
    }

    /// The valence of word `i`: its lexicon value after "no", capitals, the up to three words before it
    /// (boosters, negations, idioms) and "least".
    func valence(at i: Int) -> Double {
        let word = lower(i)
        guard let listed = lexicon.valence(of: word) else { return 0 }
        var valence = listed
        // "no" before a lexicon word negates that word instead of counting itself
        if word == "no" && i != words.count - 1 && lexicon.contains(lower(i + 1)) { valence = 0 }
        if (i > 0 && lower(i - 1) == "no") || (i > 1 && lower(i - 2) == "no")
            || (i > 2 && lower(i - 3) == "no" && (lower(i - 1) == "or" || lower(i - 1) == "nor")) {
            valence = listed * VaderRules.negationScalar
        }
        if words[i].isUpper && capsDiffer {
            valence += valence > 0 ? VaderRules.capsIncrement : -VaderRules.capsIncrement
        }
        // the words 1, 2 and 3 before that are not themselves in the lexicon
        for distance in 1...3 where i >= distance && !lexicon.contains(lower(i - distance)) {
            var boost = VaderRules.boost(by: words[i - distance], valence: valence, capsDiffer: capsDiffer)
            if distance == 2 && boost != 0 { boost *= 0.95 }
            if distance == 3 && boost != 0 { boost *= 0.9 }
            valence += boost
            valence = negated(valence, distance: distance, at: i)
            if distance == 3 { valence = specialIdioms(valence, at: i) }
        }
        return least(valence, at: i)
    }

    /// The negation check for the word `distance` before word `i`, with 3.3.2's "never so/this" (×1.25) and
    /// "without doubt" (unchanged) idioms; at distance 3 any "so" or "this" just before the word also gives
    /// ×1.25, as 3.3.2's operator precedence has it.
    private func negated(_ valence: Double, distance: Int, at i: Int) -> Double {
        let before = lower(i - distance)
        func isSoOrThis(_ w: CodePoints) -> Bool { w == "so" || w == "this" }
        switch distance {
        case 2:
            if before == "never" && isSoOrThis(lower(i - 1)) { return valence * 1.25 }
            if before == "without" && lower(i - 1) == "doubt" { return valence }
        case 3:
            if (before == "never" && isSoOrThis(lower(i - 2))) || isSoOrThis(lower(i - 1)) { return valence * 1.25 }
            if before == "without" && (lower(i - 2) == "doubt" || lower(i - 1) == "doubt") { return valence }
        default:
            break
        }
        return VaderRules.isNegation(before) ? valence * VaderRules.negationScalar : valence
    }

    /// 3.3.2's special-idiom check for word `i` (which has three words before it): the first of the phrases
    /// ending at or just before it that is a special case sets the valence, then a phrase starting at it may
    /// set it again, then a two-word dampener ("kind of", "sort of") just before it adds its decrement.
    private func specialIdioms(_ valence: Double, at i: Int) -> Double {
        var valence = valence
        let w0 = lower(i), w1 = lower(i - 1), w2 = lower(i - 2), w3 = lower(i - 3)
        let threeTwoOne = CodePoints(phrase: w3, w2, w1), threeTwo = CodePoints(phrase: w3, w2), twoOne = CodePoints(phrase: w2, w1)
        let ending = [CodePoints(phrase: w1, w0), CodePoints(phrase: w2, w1, w0), twoOne, threeTwoOne, threeTwo]
        if let special = ending.lazy.compactMap({ VaderRules.specialCases[$0] }).first { valence = special }
        if words.count - 1 > i, let special = VaderRules.specialCases[CodePoints(phrase: w0, lower(i + 1))] {
            valence = special
        }
        if words.count - 1 > i + 1, let special = VaderRules.specialCases[CodePoints(phrase: w0, lower(i + 1), lower(i + 2))] {
            valence = special
        }
        for phrase in [threeTwoOne, threeTwo, twoOne] {
            if let dampener = VaderRules.boosters[phrase] { valence += dampener }
        }
        return valence
    }

    /// "least" just before a word negates it, except in "at least" and "very least".
    private func least(_ valence: Double, at i: Int) -> Double {
        if i > 1 && !lexicon.contains(lower(i - 1)) && lower(i - 1) == "least" {
            return lower(i - 2) != "at" && lower(i - 2) != "very" ? valence * VaderRules.negationScalar : valence
        }
        if i > 0 && !lexicon.contains(lower(i - 1)) && lower(i - 1) == "least" {
            return valence * VaderRules.negationScalar
        }
        return valence
    }
}
