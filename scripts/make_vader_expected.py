#!/usr/bin/env python3
"""Writes Tests/DatasetsTests/vader-expected.json: vaderSentiment 3.3.2's polarity_scores on texts that exercise
each of its rules, on real IMDB sentences and reviews, and Python's round() on doubles near rounding ties.

Run once, with a Python that has vaderSentiment==3.3.2 installed (the project uses the peer venv):
    ~/.cache/swift-rlhf-peer/venv/bin/python scripts/make_vader_expected.py
The Swift tests compare every score with these values; nothing here is computed by hand.
"""
import gzip
import json
import os
import random
import re
import sys

from importlib.metadata import version

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("RLHF_SHARED", os.path.join(ROOT, "..", "shared"))
OUT = os.path.join(ROOT, "Tests", "DatasetsTests", "vader-expected.json")

# (rule, text): each rule or branch of vaderSentiment 3.3.2 with at least one text that reaches it.
RULE_TEXTS = [
    ("plain", "The book was good."),
    ("plain", "VADER is smart, handsome, and funny."),
    ("negation 1 before", "The movie was not good."),
    ("negation 2 before", "The movie was not very good."),
    ("negation 3 before", "It is not at all good"),
    ("negation n't", "It isn't good."),
    ("negation no apostrophe", "It isnt good"),
    ("negation after", "The acting was good, not."),
    ("negation without", "He left without good reason."),
    ("negation uppercase", "Not bad at all"),
    ("no before lexicon word", "There is no problem."),
    ("no before lexicon word", "No good deed goes unpunished."),
    ("no alone", "No."),
    ("no at the end", "I said no"),
    ("no no", "no no good"),
    ("no x or y", "There was no love or hate here."),
    ("no x nor y", "no good nor bad"),
    ("never so (2 before)", "It was never so good."),
    ("never so (3 before)", "I have never been so happy."),
    ("never this", "Sentiment analysis has never been this good!"),
    ("never", "Sentiment analysis has never been good."),
    ("this 1 before, 3 words in", "we saw this good film"),
    ("without doubt", "Without a doubt, excellent idea."),
    ("without doubt", "This is without doubt good"),
    ("without doubt", "Without a doubt, an excellent idea."),
    ("but", "The plot was good, but the characters are uncompelling and the dialog is not great."),
    ("but first", "But it was good."),
    ("but last", "It was good but"),
    ("but twice", "good but bad but great"),
    ("but with equal values", "good good but good good"),
    ("but with repeated values", "lovely but nice nice fine"),
    ("but with a value equal to an earlier halved one", "acceptance but abilities"),
    ("but with a value equal to an earlier halved one", "The best part, but the heart was absolving"),
    ("but uppercase", "It was fun BUT it was bad"),
    ("caps mixed", "The movie was GOOD."),
    ("caps all", "THE MOVIE WAS GOOD."),
    ("caps single word", "GOOD"),
    ("caps booster mixed", "VADER is VERY SMART, handsome, and FUNNY."),
    ("caps booster mixed negative", "It is VERY bad"),
    ("caps with exclamation", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!"),
    ("caps with digits", "GOOD 123"),
    ("caps negation", "NOT good at all"),
    ("caps slang", "Today SUX!"),
    ("booster increment", "The food was extremely good."),
    ("booster before negative", "The food was extremely bad."),
    ("dampener", "The food was slightly good."),
    ("dampener before negative", "The food was slightly bad."),
    ("boosters 1-3 before", "It was very very very good"),
    ("booster alone", "very"),
    ("kind of (bigram dampener)", "The book was only kind of good."),
    ("kind of at the start", "kind of good"),
    ("kind alone", "kind people"),
    ("kinda", "Today only kinda sux! But I'll get by, lol"),
    ("sort of", "The movie was sort of fun"),
    ("just enough", "It was just enough fun"),
    ("least", "Roger Dodger is one of the least compelling variations on this theme."),
    ("at least", "Roger Dodger is at least compelling as a variation on the theme."),
    ("very least", "the very least good"),
    ("least first", "least good"),
    ("least after negation", "At least it isn't a horrible book."),
    ("special case the shit", "With VADER, sentiment analysis is the shit!"),
    ("special case the shit", "This movie is the shit"),
    ("special case too early", "the shit"),
    ("special case the bomb", "This movie is the bomb"),
    ("special case bad ass", "On the other hand, VADER is quite bad ass"),
    ("special case badass", "VADER is such a badass!"),
    ("special case yeah right", "Oh sure, that was yeah right"),
    ("special case kiss of death", "It was the kiss of death for them"),
    ("special case to die for", "The cake here is to die for"),
    ("special case beating heart", "I felt my beating heart"),
    ("special case bus stop", "We waited at the bus stop"),
    ("sentiment-laden idioms (not applied in 3.3.2)", "She can cut the mustard and is on the ball"),
    ("sentiment-laden idioms (not applied in 3.3.2)", "I am under the weather today"),
    ("exclamation 1", "good!"),
    ("exclamation 2", "good!!"),
    ("exclamation 3", "good!!!"),
    ("exclamation 4", "good!!!!"),
    ("exclamation over the cap", "good!!!!!!!"),
    ("exclamation negative", "bad!!!"),
    ("question 1", "good?"),
    ("question 2", "good??"),
    ("question 3", "good???"),
    ("question 4+", "good?????"),
    ("question negative", "Is it bad??"),
    ("exclamation and question", "good!?!?"),
    ("punctuation only", "!!!"),
    ("punctuation only", "?? ??"),
    ("punctuation only", "..."),
    ("empty", ""),
    ("whitespace only", "   \t\n "),
    ("emoticons", "Make sure you :) or :D today!"),
    ("emoticons", "<3 :-( :p"),
    ("emoticon stripped to 2", "ok!"),
    ("punctuation stripped", "--good-- (great) 'nice' #fun"),
    ("duplicated lexicon entries", "lol ok xd"),
    ("emoji", "Catch utf-8 emoji such as \U0001F498 and \U0001F48B and \U0001F601"),
    ("emoji adjacent", "I love it\U0001F60D\U0001F60D"),
    ("emoji between letters", "I\U0001F600you"),
    ("emoji only", "\U0001F600"),
    ("emoji with skin tone", "\U0001F44D\U0001F3FD nice"),
    ("emoji with variation selector", "\u2764\ufe0f this"),
    ("emoji flag (multi-code-point key)", "\U0001F1EB\U0001F1F7 vacation"),
    ("emoji ZWJ sequence", "\U0001F468\u200D\U0001F469\u200D\U0001F467 family time"),
    ("emoji description with !", "\U0001F51B good"),
    ("unicode accents", "Caf\u00e9 tr\u00e8s bon \u2014 good"),
    ("unicode combining accent", "goo\u0301d and good\u0301"),
    ("unicode curly apostrophe", "I don\u2019t like it"),
    ("unicode Greek caps", "\u03a3\u039f\u03a6\u039f\u03a3 good"),
    ("unicode dotted I caps", "GOOD \u0130STANBUL"),
    ("unicode Kelvin sign", "\u212a good"),
    ("unicode full-width", "\uff27\uff2f\uff2f\uff24 good"),
    ("unicode Greek question mark", "\u037e) vs ;)"),
    ("unicode no-break space", "good\u00a0movie"),
    ("unicode separators", "good\x1cbad\x85nice\u2028fine\u3000ok"),
    ("unicode CJK", "\u6211\u5f88\u60ca\u8bb6 good"),
    ("numbers", "10/10 would watch again"),
    ("numbers", "I give it 0 stars, 3.5 at best, 1st and last"),
]


def long_text():
    rng = random.Random(8)
    words = ["good", "bad", "movie", "the", "not", "very", "but", "great", "awful", "plot", "kind", "of",
             "never", "so", "!", "?", "LOVE", "hate", ":)", "least", "no", "actors", "boring", "fun"]
    return " ".join(rng.choice(words) for _ in range(3000))


def imdb_texts():
    with gzip.open(os.path.join(SHARED, "data", "imdb-test.jsonl.gz"), "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    picked = []
    # 32 sentences, one from each of 32 reviews spread over the file (both labels), then 8 whole reviews
    for k in range(32):
        text = rows[k * 781]["text"].replace("<br />", " ")
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]
        picked.append(("imdb sentence", sentences[k % len(sentences)]))
    for k in range(8):
        picked.append(("imdb review", rows[k * 3119 + 7]["text"]))
    return picked


def rounding_cases():
    rng = random.Random(3)
    values = [k / 16 for k in range(17)] + [k / 32 for k in range(1, 32, 2)]
    values += [(2 * k + 1) * 0.0005 for k in range(40)] + [(2 * k + 1) * 0.00005 for k in range(40)]
    values += [rng.random() for _ in range(40)] + [-v for v in values[:30]] + [1e-300, 5e-324, 1.0, -1.0, 0.9999999]
    cases = []
    for x in values:
        for digits in (3, 4):
            cases.append({"x": float.hex(x), "digits": digits, "rounded": float.hex(round(x, digits))})
    return cases


def main():
    analyzer = SentimentIntensityAnalyzer()
    texts = RULE_TEXTS + [("long text", long_text())] + imdb_texts()
    cases = []
    for rule, text in texts:
        s = analyzer.polarity_scores(text)
        cases.append({"rule": rule, "text": text, "neg": s["neg"], "neu": s["neu"], "pos": s["pos"],
                      "compound": s["compound"]})
    if version("vaderSentiment") != "3.3.2":
        sys.exit(f"error: vaderSentiment {version('vaderSentiment')} is installed; the expected values are 3.3.2's")
    out = {"source": f"vaderSentiment 3.3.2 SentimentIntensityAnalyzer().polarity_scores, Python {sys.version.split()[0]}",
           "lexicon_tokens": len(analyzer.lexicon),
           "emoji_one_code_point": sum(1 for e in analyzer.emojis if len(e) == 1),
           "cases": cases, "rounding": rounding_cases()}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} texts and {len(out['rounding'])} rounding cases to {OUT}")


if __name__ == "__main__":
    main()
