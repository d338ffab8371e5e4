import HTMLText

/// The labeling app's HTML pages: every text from a model, a file or a person escaped; the one script (the
/// keyboard shortcuts) carries the nonce the page's Content-Security-Policy allows, and nothing is fetched.
package enum LabelPage {
    /// What the judging page shows.
    package struct Judging: Sendable {
        package var pair: LabelPair
        /// The response shown on the left (a or b); the other is on the right.
        package var left: Choice
        package var annotator: String
        package var progress: (pairs: Int, judged: Int, judgements: Int, annotators: Int)
        package var csrf: String, nonce: String
    }

    private static func e(_ text: String) -> String { HTMLText.escape(text) }

    private static func page(title: String, body: String, nonce: String? = nil, script: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(e(title))</title><style>\(style)</style></head><body>
        \(body)
        \(nonce.map { "<script nonce=\"\($0)\">\(script)</script>" } ?? "")
        </body></html>

        """
    }

    /// The page that asks for the annotator's name.
    package static func name(csrf: String) -> String {
        page(title: "Labeling: who are you?", body: """
        <h1>Preference labeling</h1>
        <form method="post" action="/annotator" class="name">
        <label for="annotator">Your name (it is stored with each judgement)</label>
        <input id="annotator" name="annotator" maxlength="64" required="required" autofocus="autofocus"/>
        <input type="hidden" name="csrf" value="\(e(csrf))"/>
        <button type="submit" id="start">Start</button>
        </form>
        """)
    }

    /// The judging page: the prompt, the two responses side by side, the four choices and undo.
    package static func judging(_ j: Judging) -> String {
        let (left, right) = j.left == .a ? (j.pair.responseA, j.pair.responseB) : (j.pair.responseB, j.pair.responseA)
        let p = j.progress
        return page(title: "Labeling pair \(j.pair.id)", body: """
        <header><span id="who">\(e(j.annotator))</span> · <span id="progress">\(p.judged) of \(p.pairs) pairs judged</span>
        · \(p.judgements) judgements by \(p.annotators) annotator\(p.annotators == 1 ? "" : "s")
        <progress max="\(p.pairs)" value="\(p.judged)"></progress></header>
        <h2>Prompt</h2><div class="text" id="prompt">\(e(j.pair.prompt))</div>
        <div class="pair">
        <section><h2>A</h2><div class="text" id="response-left">\(e(left))</div></section>
        <section><h2>B</h2><div class="text" id="response-right">\(e(right))</div></section>
        </div>
        <form method="post" action="/judge" id="judge">
        <input type="hidden" name="pair" value="\(j.pair.id)"/><input type="hidden" name="left" value="\(j.left.rawValue)"/>
        <input type="hidden" name="csrf" value="\(e(j.csrf))"/>
        <button name="choice" value="left" id="choose-left">A is better <kbd>1</kbd></button>
        <button name="choice" value="right" id="choose-right">B is better <kbd>2</kbd></button>
        <button name="choice" value="tie" id="choose-tie">Tie <kbd>3</kbd></button>
        <button name="choice" value="skip" id="choose-skip">Skip <kbd>4</kbd></button>
        </form>
        \(undoForm(csrf: j.csrf))
        """, nonce: j.nonce, script: shortcuts)
    }

    /// The page once the annotator judged every pair.
    package static func done(annotator: String, progress p: (pairs: Int, judged: Int, judgements: Int, annotators: Int), csrf: String,
                             nonce: String) -> String {
        page(title: "Labeling: done", body: """
        <header><span id="who">\(e(annotator))</span> · <span id="progress">\(p.judged) of \(p.pairs) pairs judged</span></header>
        <h1 id="done">All \(p.pairs) pairs judged. Thank you.</h1>
        <p>\(p.judgements) judgements by \(p.annotators) annotator\(p.annotators == 1 ? "" : "s") so far.</p>
        \(undoForm(csrf: csrf))
        """, nonce: nonce, script: shortcuts)
    }

    /// A refusal: the status line's words and what to do.
    package static func refusal(_ title: String, _ detail: String) -> String {
        page(title: title, body: "<h1>\(e(title))</h1><p>\(e(detail))</p>")
    }

    private static func undoForm(csrf: String) -> String {
        """
        <form method="post" action="/undo" class="undo"><input type="hidden" name="csrf" value="\(e(csrf))"/>
        <button type="submit" id="undo">Undo the last judgement <kbd>u</kbd></button></form>
        """
    }

    /// Keys 1-4 (or a, b, t, s) choose, u undoes; typing in a field is left alone.
    static let shortcuts = """
    document.addEventListener('keydown', function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.target.tagName === 'INPUT') return;
      var ids = {'1': 'choose-left', 'a': 'choose-left', '2': 'choose-right', 'b': 'choose-right', '3': 'choose-tie',
                 't': 'choose-tie', '4': 'choose-skip', 's': 'choose-skip', 'u': 'undo'};
      var button = ids[event.key] && document.getElementById(ids[event.key]);
      if (button) { event.preventDefault(); button.click(); }
    });
    """

    static let style = """
    body{font:16px/1.5 system-ui,sans-serif;margin:1rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
    header{color:#444;font-size:.9rem;margin-bottom:1rem}progress{width:8rem;vertical-align:middle}
    .text{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;border-radius:4px;padding:.6rem}
    .pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}@media (max-width:40rem){.pair{grid-template-columns:1fr}}
    form#judge{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}button{font-size:1rem;padding:.5rem 1rem}
    kbd{border:1px solid #999;border-radius:3px;padding:0 .3rem;font-size:.8em}form.undo button{font-size:.85rem}
    form.name{display:flex;flex-direction:column;gap:.5rem;max-width:24rem}input{font-size:1rem;padding:.4rem}
    """
}
