import Foundation
import Labeling
import TestSupport
import XCTest

/// `rlhf label serve` as a person uses it, in headless Chromium through WebDriver: labels pairs with clicks
/// and with keys, undoes one, reloads; the SQLite rows are what was clicked; a `<script>` response shows as
/// text; requests without the token or the CSRF token are refused; a server killed mid-session keeps every
/// committed judgement. And `rlhf label export` on a hand-made database, against values worked by hand.
final class LabelServeTests: XCTestCase {
    private var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("label-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private let hostile = "<script>document.title='owned'</script><b>bold?</b>"

    private func pairsFile() throws -> URL {
        let url = folder.appendingPathComponent("pairs.jsonl")
        let pairs = [("Say hi", "Hello there!", "Go away."), ("Rate the film", "A fine film.", "Dreadful."),
                     ("Name a colour", "Blue", "Teal"), ("Write code", hostile, "print('hi')")]
        let lines = try pairs.map { prompt, a, b in
            String(decoding: try JSONSerialization.data(withJSONObject: ["prompt": prompt, "response_a": a, "response_b": b, "labeler": "none",
                                                                         "identical": false], options: [.sortedKeys]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Starts the server; its process and the port it printed.
    private func serve(_ pairs: URL, _ db: URL, token: String) throws -> (Process, Int) {
        let log = folder.appendingPathComponent("serve-\(UUID().uuidString).log")
        let process = try RLHFBinary.start(binary, ["label", "serve", "--pairs", pairs.path, "--db", db.path, "--port", "0", "--token", token], log: log)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "http://127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) { return (process, port) }
            usleep(100_000)
        }
        process.terminate()
        throw WebDriver.Failure(description: "the server did not print its address: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// The response now on the left (a or b), by the form's hidden field.
    private func left(_ browser: WebDriver) throws -> Choice {
        try XCTUnwrap(Choice(rawValue: try browser.attribute("value", of: "input[name=left]") ?? ""))
    }

    private func waitForPage(_ browser: WebDriver, progress: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? browser.text(of: "#progress")) == progress { return }
            usleep(50_000)
        }
        XCTFail("the page did not show '\(progress)': \((try? browser.text(of: "body")) ?? "")")
    }

    func testLabelingInTheBrowser() throws {
        let pairs = try pairsFile(), db = folder.appendingPathComponent("labels.sqlite")
        let token = "test-token-0123456789abcdef"
        var (server, port) = try serve(pairs, db, token: token)
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }

        // without the token nothing is served; a POST without a session is refused
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "GET", path: "/").status, 403)
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "GET", path: "/?token=wrong-token").status, 403)
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "POST", path: "/judge", body: Data("pair=1&left=a&choice=left".utf8)).status, 403)

        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.open("http://127.0.0.1:\(port)/?token=\(token)")
        XCTAssertEqual(try browser.currentURL(), "http://127.0.0.1:\(port)/", "the token leaves the address bar")
        try browser.type("ann", into: "#annotator")
        try browser.click("#start")
        try waitForPage(browser, progress: "0 of 4 pairs judged")

        var expected: [Judgement] = []
        // pair 1 by a click on "A is better": the response shown on the left wins
        XCTAssertEqual(try browser.text(of: "#prompt"), "Say hi")
        let first = try left(browser)
        try browser.click("#choose-left")
        expected.append(Judgement(pair: 1, annotator: "ann", choice: first))
        try waitForPage(browser, progress: "1 of 4 pairs judged")
        // pair 2 by the key 2 ("B is better"): the response on the right wins
        let second = try left(browser)
        try browser.press("2")
        expected.append(Judgement(pair: 2, annotator: "ann", choice: second == .a ? .b : .a))
        try waitForPage(browser, progress: "2 of 4 pairs judged")
        // pair 3 by the key 3 (tie), then undone with the key u, then judged again with a click on "B is better"
        XCTAssertEqual(try browser.text(of: "#prompt"), "Name a colour")
        try browser.press("3")
        try waitForPage(browser, progress: "3 of 4 pairs judged")
        try browser.press("u")
        try waitForPage(browser, progress: "2 of 4 pairs judged")
        XCTAssertEqual(try browser.text(of: "#prompt"), "Name a colour", "the undone pair shows again")
        let third = try left(browser)
        try browser.click("#choose-right")
        expected.append(Judgement(pair: 3, annotator: "ann", choice: third == .a ? .b : .a))
        try waitForPage(browser, progress: "3 of 4 pairs judged")
        // pair 4 holds a <script>: it shows as text and never runs
        let shown = [try browser.text(of: "#response-left"), try browser.text(of: "#response-right")]
        XCTAssertTrue(shown.contains(hostile), "\(shown)")
        XCTAssertEqual(try browser.elements("#response-left script, #response-right script, #response-left b, #response-right b").count, 0)
        XCTAssertEqual(try browser.title(), "Labeling pair 4", "the script did not run")
        try browser.reload()
        try waitForPage(browser, progress: "3 of 4 pairs judged")
        XCTAssertEqual(try browser.text(of: "#prompt"), "Write code", "a reload shows the same pair, unjudged")
        XCTAssertEqual(try browser.consoleEntries().filter { $0.level == "SEVERE" }.map(\.message), [])
        try browser.screenshot().write(to: try artefact("label-page.png"))

        // the rows in SQLite are what was clicked (the undone tie is kept, marked undone)
        XCTAssertEqual(try LabelDatabase(path: db.path, create: false).standingJudgements(), expected)

        // a POST with the session cookie but without, or with a wrong, CSRF token is refused; a huge body too
        let cookie = try XCTUnwrap(try browser.cookie("rlhf_label_session"))
        let session = ["Cookie": "rlhf_label_session=\(cookie)", "Content-Type": "application/x-www-form-urlencoded"]
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "POST", path: "/judge", headers: session,
                                             body: Data("pair=4&left=a&choice=left".utf8)).status, 403)
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "POST", path: "/judge", headers: session,
                                             body: Data("pair=4&left=a&choice=left&csrf=\(String(repeating: "0", count: 64))".utf8)).status, 403)
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "POST", path: "/annotator", headers: session,
                                             body: Data(repeating: UInt8(ascii: "x"), count: 64 << 10)).status, 413)
        XCTAssertEqual(try LabelDatabase(path: db.path, create: false).standingJudgements(), expected, "nothing written by the refused posts")

        // a second annotator labels at the same time, through plain HTTP: token, cookie, name, a judgement
        let opened = try LoopbackHTTP.send(port: port, method: "GET", path: "/?token=\(token)")
        XCTAssertEqual(opened.status, 303)
        let bo = try XCTUnwrap(opened.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        XCTAssertTrue(opened.headers["set-cookie"]?.contains("HttpOnly") == true && opened.headers["set-cookie"]?.contains("SameSite=Strict") == true)
        func csrf(_ page: Data) throws -> String {
            let html = String(decoding: page, as: UTF8.self)
            let start = try XCTUnwrap(html.range(of: "name=\"csrf\" value=\"")).upperBound
            return String(html[start...].prefix { $0 != "\"" })
        }
        let form = ["Cookie": bo, "Content-Type": "application/x-www-form-urlencoded"]
        let namePage = try LoopbackHTTP.send(port: port, method: "GET", path: "/", headers: ["Cookie": bo])
        let boCSRF = try csrf(namePage.body)
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "POST", path: "/annotator", headers: form, body: Data("annotator=bo&csrf=\(boCSRF)".utf8)).status, 303)
        let boPage = try LoopbackHTTP.send(port: port, method: "GET", path: "/", headers: ["Cookie": bo])
        XCTAssertTrue(String(decoding: boPage.body, as: UTF8.self).contains("0 of 4 pairs judged"), "bo starts at the first pair")
        XCTAssertEqual(try LoopbackHTTP.send(port: port, method: "POST", path: "/judge", headers: form,
                                             body: Data("pair=1&left=b&choice=tie&csrf=\(boCSRF)".utf8)).status, 303)
        expected.insert(Judgement(pair: 1, annotator: "bo", choice: .tie), at: 1)
        XCTAssertEqual(try LabelDatabase(path: db.path, create: false).standingJudgements(), expected)

        // killed mid-session: every committed judgement is there when it serves again, and labeling goes on
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        XCTAssertEqual(try LabelDatabase(path: db.path, create: false).standingJudgements(), expected)
        (server, port) = try serve(pairs, db, token: token)
        try browser.open("http://127.0.0.1:\(port)/?token=\(token)")
        try browser.type("ann", into: "#annotator")
        try browser.click("#start")
        try waitForPage(browser, progress: "3 of 4 pairs judged")
        try browser.press("4")
        try waitForPage(browser, progress: "4 of 4 pairs judged")
        XCTAssertTrue(try browser.text(of: "#done").contains("All 4 pairs judged"))
        expected.append(Judgement(pair: 4, annotator: "ann", choice: .skip))
        XCTAssertEqual(try LabelDatabase(path: db.path, create: false).standingJudgements(), expected)
        XCTAssertTrue(try browser.text(of: "body").contains("5 judgements by 2 annotators"))
    }

    private func artefact(_ name: String) throws -> URL {
        let folder = TestPaths.packageRoot.appendingPathComponent("test-artifacts")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name)
    }

    func testServeRefusesAnOpenBindWithoutAToken() throws {
        let pairs = try pairsFile()
        let run = try RLHFBinary.run(binary, ["label", "serve", "--pairs", pairs.path, "--db", folder.appendingPathComponent("x.sqlite").path,
                                              "--host", "0.0.0.0"])
        assertRefused(run, mentioning: ["--token"])
        let bad = folder.appendingPathComponent("bad.jsonl")
        try "{\"prompt\":1}\n".write(to: bad, atomically: true, encoding: .utf8)
        assertRefused(try RLHFBinary.run(binary, ["label", "serve", "--pairs", bad.path, "--db", folder.appendingPathComponent("y.sqlite").path]),
                      mentioning: ["bad.jsonl:1:"])
    }

    func testExportByMajorityVoteWithFleissKappa() throws {
        // three annotators on four pairs: [a a a] [a b a] [tie a b] [b b b]; a fourth pair's undone vote does not count
        let dbPath = folder.appendingPathComponent("hand.sqlite").path
        let db = try LabelDatabase(path: dbPath, create: true)
        let pairs = (1...4).map { LabelPair(id: Int64($0), prompt: "prompt \($0)", responseA: "A\($0)", responseB: "B\($0)") }
        try db.load(pairs, from: "hand-made")
        let votes: [[Choice]] = [[.a, .a, .a], [.a, .b, .a], [.tie, .a, .b], [.b, .b, .b]]
        for (i, row) in votes.enumerated() {
            for (who, choice) in zip(["ann", "bo", "cy"], row) {
                if i == 3 && who == "cy" {  // cy first said a, undid it, then said b
                    try db.record(pair: 4, annotator: who, left: .a, choice: .a)
                    try db.undo(annotator: who)
                }
                try db.record(pair: Int64(i + 1), annotator: who, left: .b, choice: choice)
            }
        }
        let output = folder.appendingPathComponent("labelled.jsonl")
        let run = try RLHFBinary.run(binary, ["label", "export", "--db", dbPath, "--output", output.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        // pairs 1, 2 to A (3-0, 2-1), pair 4 to B (3-0), pair 3 dropped (1-1-1); Fleiss κ = 11/41 = 0.268
        XCTAssertTrue(run.stdout.contains("exported 3 of 4 pairs"), run.stdout)
        XCTAssertTrue(run.stdout.contains("1 dropped"), run.stdout)
        XCTAssertTrue(run.stdout.contains("12 judgements by 3 annotators"), run.stdout)
        XCTAssertTrue(run.stdout.contains("Fleiss' kappa 0.268 over the 4 pairs all 3 judged"), run.stdout)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(lines.map { $0["chosen"] as? String }, ["A1", "A2", "B4"])
        XCTAssertEqual(lines.map { $0["rejected"] as? String }, ["B1", "B2", "A4"])
        XCTAssertEqual(lines.map { $0["votes_chosen"] as? Int }, [3, 2, 3])

        // two annotators: Cohen's kappa of ann and bo over the four pairs: labels a a tie b / a b a b
        // p_o = 2/4; ann shares a .5 b .25 tie .25, bo a .5 b .5: p_e = .25 + .125 = .375; κ = (.5 − .375) / .625 = 0.2
        let two = folder.appendingPathComponent("two.sqlite").path
        let pair2 = try LabelDatabase(path: two, create: true)
        try pair2.load(pairs, from: "hand-made")
        for (i, row) in votes.enumerated() {
            for (who, choice) in zip(["ann", "bo"], row) { try pair2.record(pair: Int64(i + 1), annotator: who, left: .a, choice: choice) }
        }
        let cohen = try RLHFBinary.run(binary, ["label", "export", "--db", two, "--output", folder.appendingPathComponent("two.jsonl").path, "--json"])
        XCTAssertEqual(cohen.status, 0, cohen.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(cohen.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["kappa_method"] as? String, "cohen")
        XCTAssertEqual(summary["kappa"] as? Double ?? .nan, 0.2, accuracy: 1e-12)
        XCTAssertEqual(summary["exported"] as? Int, 2, "pair 1 to A (2-0), pair 4 to B (2-0); pairs 2 and 3 tie 1-1")

        // `rlhf reward train` reads the export as it is
        let reward = try RLHFBinary.run(binary, ["reward", "train", "--model", TestPaths.miniLM.path, "--format", "pairs", "--data", output.path,
                                                 "--eval-fraction", "0", "--max-len", "32", "--output", folder.appendingPathComponent("rm").path, "--json"])
        XCTAssertEqual(reward.status, 0, reward.stderr)
        XCTAssertTrue(reward.stdout.contains("\"train_examples\":3"), reward.stdout)

        assertRefused(try RLHFBinary.run(binary, ["label", "export", "--db", folder.appendingPathComponent("none.sqlite").path, "--output", output.path]),
                      mentioning: ["no such database"])
    }
}
