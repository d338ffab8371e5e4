import Foundation

/// Headless Chromium driven through WebDriver (Debian's `chromium` and `chromium-driver`, which `make test`
/// installs): the way tests look at a page as a person would, clicking and typing, and read what the
/// browser saw (its console, its network requests, a screenshot).
package final class WebDriver {
    /// A WebDriver call that failed: the command and what the driver answered.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String

        package init(description: String) { self.description = description }
    }

    private let driver: Process
    private let base: URL
    private let session: String

    /// Starts chromedriver on a free loopback port and opens a headless browser `width`×`height`.
    package init(width: Int = 1200, height: Int = 1600) throws {
        let binary = "/usr/bin/chromedriver"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Failure(description: "\(binary) is missing: `make test` installs chromium and chromium-driver")
        }
        var lastError: Error = Failure(description: "chromedriver did not start")
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let base = URL(string: "http://127.0.0.1:\(port)")!
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline && process.isRunning {
                if let status = try? Self.call(base, "GET", "/status", nil) as? [String: Any], status["ready"] as? Bool == true { break }
                usleep(100_000)
            }
            guard process.isRunning else {
                lastError = Failure(description: "chromedriver on port \(port) exited")
                process.waitUntilExit()
                continue
            }
            do {
                let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": ["binary": "/usr/bin/chromium",
                                           "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                    "--window-size=\(width),\(height)", "--hide-scrollbars"]],
                    "goog:loggingPrefs": ["browser": "ALL", "performance": "ALL"],
                ] as [String: Any]]]
                let answer = try Self.call(base, "POST", "/session", capabilities, timeout: 60) as? [String: Any]
                guard let id = answer?["sessionId"] as? String else { throw Failure(description: "no session id in \(String(describing: answer))") }
                driver = process
                self.base = base
                session = id
                return
            } catch {
                lastError = error
                // a browser a failed session started would be left running: end chromedriver's whole tree
                ProcessTree.kill(process.processIdentifier)
                process.waitUntilExit()
            }
        }
        throw lastError
    }

    deinit { quit() }

    /// Closes the browser and stops chromedriver, with whatever it started that is still running.
    package func quit() {
        guard driver.isRunning else { return }
        _ = try? Self.call(base, "DELETE", "/session/\(session)", nil)
        ProcessTree.kill(driver.processIdentifier)
        driver.waitUntilExit()
    }

    /// Opens `url` and waits for it to load.
    package func open(_ url: String) throws { _ = try command("POST", "/url", ["url": url]) }

    /// The current page's URL.
    package func currentURL() throws -> String { try command("GET", "/url", nil) as? String ?? "" }

    /// The ids of the elements matching the CSS `selector`.
    package func elements(_ selector: String) throws -> [String] {
        let found = try command("POST", "/elements", ["using": "css selector", "value": selector]) as? [[String: Any]] ?? []
        return found.compactMap { $0.values.first as? String }
    }

    /// The visible text of element `id`.
    package func text(_ id: String) throws -> String { try command("GET", "/element/\(id)/text", nil) as? String ?? "" }

    /// The text of the first element matching `selector`.
    package func text(of selector: String) throws -> String {
        guard let id = try elements(selector).first else { throw Failure(description: "no element matches \(selector)") }
        return try text(id)
    }

    /// The attribute (or property) `name` of the first element matching `selector`.
    package func attribute(_ name: String, of selector: String) throws -> String? {
        guard let id = try elements(selector).first else { throw Failure(description: "no element matches \(selector)") }
        return try command("GET", "/element/\(id)/property/\(name)", nil) as? String
    }

    /// The page's title.
    package func title() throws -> String { try command("GET", "/title", nil) as? String ?? "" }

    /// Clicks the first element matching `selector`.
    package func click(_ selector: String) throws {
        guard let id = try elements(selector).first else { throw Failure(description: "no element matches \(selector)") }
        _ = try command("POST", "/element/\(id)/click", [:])
    }

    /// Types `text` into the first element matching `selector`.
    package func type(_ text: String, into selector: String) throws {
        guard let id = try elements(selector).first else { throw Failure(description: "no element matches \(selector)") }
        _ = try command("POST", "/element/\(id)/value", ["text": text])
    }

    /// Presses `key` (a character) on the page, as a person at the keyboard.
    package func press(_ key: String) throws {
        let actions: [String: Any] = ["actions": [["type": "key", "id": "keyboard",
                                                   "actions": [["type": "keyDown", "value": key], ["type": "keyUp", "value": key]]]]]
        _ = try command("POST", "/actions", actions)
    }

    /// Reloads the page.
    package func reload() throws { _ = try command("POST", "/refresh", [:]) }

    /// The page as a PNG.
    package func screenshot() throws -> Data {
        guard let text = try command("GET", "/screenshot", nil) as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "the screenshot is not base64 PNG")
        }
        return data
    }

    /// The browser's console entries since the last call (level and message).
    package func consoleEntries() throws -> [(level: String, message: String)] {
        let entries = try command("POST", "/se/log", ["type": "browser"]) as? [[String: Any]] ?? []
        return entries.map { ($0["level"] as? String ?? "", $0["message"] as? String ?? "") }
    }

    /// The URLs the browser requested since the last call (from its performance log).
    package func requestedURLs() throws -> [String] {
        let entries = try command("POST", "/se/log", ["type": "performance"]) as? [[String: Any]] ?? []
        return entries.compactMap { entry in
            guard let text = entry["message"] as? String,
                  let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let message = object["message"] as? [String: Any], message["method"] as? String == "Network.requestWillBeSent",
                  let params = message["params"] as? [String: Any], let request = params["request"] as? [String: Any] else { return nil }
            return request["url"] as? String
        }
    }

    /// The value of the browser's cookie `name`, if set.
    package func cookie(_ name: String) throws -> String? {
        (try? command("GET", "/cookie/\(name)", nil) as? [String: Any])?["value"] as? String
    }

    /// Removes every cookie of the current page.
    package func deleteCookies() throws { _ = try command("DELETE", "/cookie", nil) }

    private func command(_ method: String, _ path: String, _ body: [String: Any]?) throws -> Any? {
        try Self.call(base, method, "/session/\(session)\(path)", body)
    }

    /// One WebDriver request; the answer's `value`, or a `Failure` with the driver's error.
    private static func call(_ base: URL, _ method: String, _ path: String, _ body: [String: Any]?, timeout: Double = 30) throws -> Any? {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let data = try LoopbackHTTP.request(port: base.port ?? 80, method: method, path: path, body: payload, timeout: timeout)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "\(method) \(path): the answer is not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let value = object["value"]
        if let error = value as? [String: Any], let kind = error["error"] as? String {
            throw Failure(description: "\(method) \(path): \(kind): \(error["message"] as? String ?? "")")
        }
        return value is NSNull ? nil : value
    }
}
