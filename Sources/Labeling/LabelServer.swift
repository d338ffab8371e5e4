import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `rlhf label serve`'s HTTP server (Hummingbird): one token guards every request (opening `/?token=T` once
/// gives a browser a session cookie), every write is a POST that carries the session's CSRF token, bodies
/// are capped, and each judgement is committed before the next pair is shown.
package struct LabelServer: Sendable {
    /// The store.
    package let database: LabelDatabase
    /// The token that opens a session.
    package let token: String
    /// Where it listens (port 0: any free port).
    package let host: String, port: Int
    /// The largest request body read, in bytes.
    package static let bodyLimit = 16 << 10
    /// The session cookie's name.
    static let cookie = "rlhf_label_session"

    private let sessions = LabelSessions()

    package init(database: LabelDatabase, token: String, host: String, port: Int) {
        self.database = database
        self.token = token
        self.host = host
        self.port = port
    }

    /// Serves until SIGINT or SIGTERM; `ready(port)` hears the port it listens on.
    package func run(logger: Logger, ready: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        router.get("/") { request, _ in try await self.home(request) }
        router.post("/annotator") { request, _ in try await self.post(request) { session, id, form in
            let name = (form["annotator"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= 64, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                return Self.html(.badRequest, LabelPage.refusal("Bad name", "A name is 1 to 64 characters, without control characters."))
            }
            self.sessions.setAnnotator(name, for: id)
            return Self.redirect("/")
        } }
        router.post("/judge") { request, _ in try await self.post(request) { session, _, form in
            guard let annotator = session.annotator else { return Self.redirect("/") }
            guard let pair = form["pair"].flatMap({ Int64($0) }), let left = form["left"].flatMap(Choice.init(rawValue:)), left == .a || left == .b,
                  let side = form["choice"] else {
                return Self.html(.badRequest, LabelPage.refusal("Bad judgement", "The form is missing its pair, side or choice."))
            }
            let right: Choice = left == .a ? .b : .a
            let choice: Choice
            switch side {
            case "left": choice = left
            case "right": choice = right
            case "tie": choice = .tie
            case "skip": choice = .skip
            default: return Self.html(.badRequest, LabelPage.refusal("Bad judgement", "The choice is left, right, tie or skip."))
            }
            try self.database.record(pair: pair, annotator: annotator, left: left, choice: choice)
            logger.info("judgement", metadata: ["annotator": "\(annotator)", "pair": "\(pair)", "choice": "\(choice.rawValue)"])
            return Self.redirect("/")
        } }
        router.post("/undo") { request, _ in try await self.post(request) { session, _, _ in
            if let annotator = session.annotator, let pair = try self.database.undo(annotator: annotator) {
                logger.info("undo", metadata: ["annotator": "\(annotator)", "pair": "\(pair)"])
            }
            return Self.redirect("/")
        } }
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "rlhf-label"),
                              onServerRunning: { channel in ready(channel.localAddress?.port ?? 0) }, logger: logger)
        try await app.runService()
    }

    /// GET /: with the token, a new session and a redirect that drops the token from the address; with a
    /// session, the name form, the next pair, or the end.
    func home(_ request: Request) async throws -> Response {
        if let given = request.uri.queryParameters["token"] {
            guard LabelSessions.constantTimeEqual(String(given), token) else {
                return Self.html(.forbidden, LabelPage.refusal("Wrong token", "Open the link the server printed, with its token."))
            }
            let id = sessions.open()
            var response = Self.redirect("/")
            response.setCookie(Cookie(name: Self.cookie, value: id, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        let id = request.cookies[Self.cookie]?.value
        guard let session = sessions.session(id) else { return Self.noSession }
        guard let annotator = session.annotator else { return Self.html(.ok, LabelPage.name(csrf: session.csrf)) }
        let progress = try database.progress(for: annotator)
        let nonce = LabelSessions.randomToken()
        guard let pair = try database.nextPair(for: annotator) else {
            return Self.html(.ok, LabelPage.done(annotator: annotator, progress: progress, csrf: session.csrf, nonce: nonce), nonce: nonce)
        }
        var generator = SystemRandomNumberGenerator()
        let left: Choice = Bool.random(using: &generator) ? .a : .b
        let page = LabelPage.judging(LabelPage.Judging(pair: pair, left: left, annotator: annotator, progress: progress,
                                                       csrf: session.csrf, nonce: nonce))
        return Self.html(.ok, page, nonce: nonce)
    }

    /// A POST: the session, a body within the cap, and the session's CSRF token, else a refusal.
    func post(_ request: Request, _ body: (LabelSessions.Session, String, [String: String]) throws -> Response) async throws -> Response {
        guard let id = request.cookies[Self.cookie]?.value, let session = sessions.session(id) else { return Self.noSession }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: Self.bodyLimit) } catch {
            return Self.html(.contentTooLarge, LabelPage.refusal("Too large", "A form is at most \(Self.bodyLimit) bytes."))
        }
        let form = FormBody.fields(String(buffer: buffer))
        guard let csrf = form["csrf"], LabelSessions.constantTimeEqual(csrf, session.csrf) else {
            return Self.html(.forbidden, LabelPage.refusal("Missing or wrong CSRF token", "Reload the page and try again."))
        }
        return try body(session, id, form)
    }

    static var noSession: Response {
        html(.forbidden, LabelPage.refusal("No session", "Open the link the server printed (it ends with ?token=…) to start labeling."))
    }

    static func html(_ status: HTTPResponse.Status, _ page: String, nonce: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; style-src 'unsafe-inline'; script-src \(nonce.map { "'nonce-\($0)'" } ?? "'none'"); form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }
}
