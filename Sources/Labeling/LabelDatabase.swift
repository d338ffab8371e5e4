import Foundation
import GRDB

/// The labeling app's SQLite store (GRDB, WAL mode: readers never wait for the writer): the pairs, and every
/// judgement ever made with the side each response was shown on and whether it was undone. Each judgement is
/// its own committed transaction, so a server killed at any moment keeps every judgement it acknowledged.
package final class LabelDatabase: Sendable {
    private let pool: DatabasePool
    /// The database file.
    package let path: String

    /// Opens (creating it when `create`) the database at `path` and brings its schema up to date.
    package init(path: String, create: Bool) throws(LabelingError) {
        self.path = path
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if isFolder.boolValue { throw LabelingError(.database(path: path, reason: "is a folder, not a SQLite database")) }
        if !exists && !create { throw LabelingError(.database(path: path, reason: "no such database")) }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.readonly = !create
            pool = try DatabasePool(path: path, configuration: configuration)
            if create { try Self.migrator.migrate(pool) }
            let tables = try pool.read { db in try db.tableExists("pairs") && db.tableExists("judgements") }
            guard tables else { throw LabelingError(.database(path: path, reason: "is not a labeling database (no pairs and judgements tables)")) }
        } catch let error as LabelingError {
            throw error
        } catch {
            throw LabelingError(.database(path: path, reason: Self.reason(error)))
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE pairs(id INTEGER PRIMARY KEY, prompt TEXT NOT NULL, response_a TEXT NOT NULL, response_b TEXT NOT NULL);
                CREATE TABLE judgements(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    pair_id INTEGER NOT NULL REFERENCES pairs(id),
                    annotator TEXT NOT NULL,
                    left_response TEXT NOT NULL CHECK (left_response IN ('a', 'b')),
                    choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie', 'skip')),
                    created_at TEXT NOT NULL,
                    undone INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX judgements_by_annotator ON judgements(annotator, undone, pair_id);
                """)
        }
        return migrator
    }

    static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    private func run<T>(_ body: () throws -> T) throws(LabelingError) -> T {
        do { return try body() } catch { throw LabelingError(.database(path: path, reason: Self.reason(error))) }
    }

    /// Stores `pairs` when the database holds none; otherwise checks that it holds exactly these pairs.
    package func load(_ pairs: [LabelPair], from file: String) throws(LabelingError) {
        let stored = try run { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pairs") ?? 0 } }
        if stored == 0 {
            try run {
                try pool.write { db in
                    for p in pairs {
                        try db.execute(sql: "INSERT INTO pairs(id, prompt, response_a, response_b) VALUES (?, ?, ?, ?)",
                                       arguments: [p.id, p.prompt, p.responseA, p.responseB])
                    }
                }
            }
            return
        }
        let existing = try allPairs()
        guard existing.count == pairs.count else {
            throw LabelingError(.otherPairs(database: path, pairs: file, reason: "\(existing.count) pairs stored, \(pairs.count) in the file"))
        }
        if let index = existing.indices.first(where: { existing[$0] != pairs[$0] }) {
            throw LabelingError(.otherPairs(database: path, pairs: file, reason: "pair \(index + 1) differs"))
        }
    }

    /// Every pair, by id.
    package func allPairs() throws(LabelingError) -> [LabelPair] {
        try run {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, prompt, response_a, response_b FROM pairs ORDER BY id").map {
                    LabelPair(id: $0["id"], prompt: $0["prompt"], responseA: $0["response_a"], responseB: $0["response_b"])
                }
            }
        }
    }

    /// The first pair `annotator` has no standing judgement of, or nil when they judged them all.
    package func nextPair(for annotator: String) throws(LabelingError) -> LabelPair? {
        try run {
            try pool.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT id, prompt, response_a, response_b FROM pairs
                    WHERE id NOT IN (SELECT pair_id FROM judgements WHERE annotator = ? AND undone = 0)
                    ORDER BY id LIMIT 1
                    """, arguments: [annotator]).map {
                    LabelPair(id: $0["id"], prompt: $0["prompt"], responseA: $0["response_a"], responseB: $0["response_b"])
                }
            }
        }
    }

    /// Records (and commits) `annotator`'s `choice` of pair `pair`, shown with response `left` on the left.
    /// A pair they already judged is not judged twice: false then, and nothing is written.
    @discardableResult
    package func record(pair: Int64, annotator: String, left: Choice, choice: Choice) throws(LabelingError) -> Bool {
        precondition(left == .a || left == .b, "the left response is a or b")
        return try run {
            try pool.write { db in
                guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pairs WHERE id = ?", arguments: [pair]) == 1,
                      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM judgements WHERE pair_id = ? AND annotator = ? AND undone = 0",
                                       arguments: [pair, annotator]) == 0 else { return false }
                try db.execute(sql: "INSERT INTO judgements(pair_id, annotator, left_response, choice, created_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [pair, annotator, left.rawValue, choice.rawValue, ISO8601DateFormatter().string(from: Date())])
                return true
            }
        }
    }

    /// Undoes `annotator`'s latest standing judgement (kept, marked undone); the pair it judged, or nil.
    @discardableResult
    package func undo(annotator: String) throws(LabelingError) -> Int64? {
        try run {
            try pool.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT id, pair_id FROM judgements WHERE annotator = ? AND undone = 0 ORDER BY id DESC LIMIT 1",
                                                 arguments: [annotator]) else { return nil }
                try db.execute(sql: "UPDATE judgements SET undone = 1 WHERE id = ?", arguments: [row["id"] as Int64])
                return row["pair_id"] as Int64
            }
        }
    }

    /// Progress: pairs in all, pairs `annotator` judged, standing judgements and annotators in all.
    package func progress(for annotator: String) throws(LabelingError) -> (pairs: Int, judged: Int, judgements: Int, annotators: Int) {
        try run {
            try pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pairs") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM judgements WHERE annotator = ? AND undone = 0", arguments: [annotator]) ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM judgements WHERE undone = 0") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT annotator) FROM judgements WHERE undone = 0") ?? 0)
            }
        }
    }

    /// Every standing judgement (one per annotator and pair), by pair and annotator.
    package func standingJudgements() throws(LabelingError) -> [Judgement] {
        try run {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT pair_id, annotator, choice FROM judgements j WHERE undone = 0
                    AND id = (SELECT MAX(id) FROM judgements k WHERE k.pair_id = j.pair_id AND k.annotator = j.annotator AND k.undone = 0)
                    ORDER BY pair_id, annotator
                    """).compactMap { row in
                    (row["choice"] as String?).flatMap(Choice.init(rawValue:)).map {
                        Judgement(pair: row["pair_id"], annotator: row["annotator"], choice: $0)
                    }
                }
            }
        }
    }
}
