import ArgumentParser
import Foundation
import Labeling
import Logging

/// `rlhf label serve`: the labeling web app over the pairs `rlhf pairs --labeler none` wrote. People open the
/// printed link (it carries the token), give their name, and judge pairs shown side by side in a random,
/// recorded order; each judgement is committed to the SQLite database before the next pair shows.
struct LabelServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the preference-labeling page; judgements go to a SQLite database.")

    @Option(help: ArgumentHelp("The unlabelled pairs (rlhf pairs --labeler none writes them).", valueName: "file"))
    var pairs: String

    @Option(help: ArgumentHelp("The SQLite database the judgements go to (created when missing; a second serve of the same pairs continues it).",
                               valueName: "file.sqlite"))
    var db: String

    @Option(help: "The address to listen on; anything but loopback needs --token.")
    var host = "127.0.0.1"

    @Option(help: "The port (0: any free port).")
    var port = 8080

    @Option(help: "The token that opens the page (default: a random one, printed in the link).")
    var token: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        if let token {
            guard token.count >= 16, token.count <= 256, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~".contains($0)) }) else {
                throw ValidationError("--token must be 16 to 256 letters, digits or -_.~ (it goes in a link)")
            }
        }
        guard !host.isEmpty else { throw ValidationError("--host is empty") }
        if !Self.isLoopback(host) && token == nil {
            throw ValidationError("--host \(host) is reachable from other machines: give a --token (every request needs it), or serve on 127.0.0.1")
        }
    }

    /// Whether only this machine can reach `host`.
    static func isLoopback(_ host: String) -> Bool {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return (octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }) || host == "::1" || host.lowercased() == "localhost"
    }

    func run() async throws {
        let pairList: [LabelPair]
        let database: LabelDatabase
        do {
            pairList = try LabelPairsFile.read(pairs)
            database = try LabelDatabase(path: db, create: true)
            try database.load(pairList, from: pairs)
        } catch { throw CommandInputError.flags("\(error)") }
        let token = self.token ?? LabelSessions.randomToken()
        let server = LabelServer(database: database, token: token, host: host, port: port)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let count = pairList.count, db = self.db
        try await server.run(logger: Logger(label: "rlhf.label")) { port in
            let line = "labeling \(count) pairs at http://\(shownHost):\(port)/?token=\(token) (judgements go to \(db); Ctrl-C stops)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
