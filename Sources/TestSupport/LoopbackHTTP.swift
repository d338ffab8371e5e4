import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain HTTP/1.1 client for servers on 127.0.0.1 that tests start (chromedriver, `rlhf label serve`):
/// one request per connection (`Connection: close`), the whole answer read until the server closes it.
package enum LoopbackHTTP {
    /// An answer: status, headers (names lower-cased) and body.
    package struct Answer: Sendable {
        package let status: Int
        package let headers: [String: String]
        package let body: Data
    }

    /// The failure of a request: what and why.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Sends `method path` with `body` to 127.0.0.1:`port` and returns the body of a 2xx–5xx answer.
    package static func request(port: Int, method: String, path: String, body: Data = Data(), timeout: Double = 30) throws -> Data {
        try send(port: port, method: method, path: path, headers: ["Content-Type": "application/json"], body: body, timeout: timeout).body
    }

    /// Sends one request with `headers` and returns the whole answer.
    package static func send(port: Int, method: String, path: String, headers: [String: String] = [:], body: Data = Data(),
                             timeout: Double = 30) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Data((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "\(method) \(path): send: errno \(errno)") }
            sent += n
        }
        // read until the server closes, or the body its header announces is complete (some servers keep the
        // connection open despite `Connection: close`)
        var answer = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !isComplete(answer) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else {
                if errno == EINTR { continue }
                throw Failure(description: "\(method) \(path): no answer within \(timeout) s (errno \(errno))")
            }
            answer.append(contentsOf: chunk[0..<n])
        }
        guard let split = answer.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "\(method) \(path): an answer with no header end (\(answer.count) bytes)")
        }
        let (status, fields) = try parseHead(answer[..<split.lowerBound], method: method, path: path)
        var content = Data(answer[split.upperBound...])
        if fields["transfer-encoding"]?.lowercased().contains("chunked") == true { content = try dechunked(content) }
        return Answer(status: status, headers: fields, body: content)
    }

    /// The status and the header fields (names lower-cased) of an answer's head.
    static func parseHead(_ head: Data, method: String, path: String) throws -> (Int, [String: String]) {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusWords = lines.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else {
            throw Failure(description: "\(method) \(path): a malformed status line '\(lines.first ?? "")'")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased(), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = fields[name].map { $0 + "\n" + value } ?? value
        }
        return (status, fields)
    }

    /// Whether `answer` holds a whole answer by its own header: its Content-Length read, or its last chunk.
    static func isComplete(_ answer: Data) -> Bool {
        guard let split = answer.range(of: Data("\r\n\r\n".utf8)),
              let (_, fields) = try? parseHead(answer[..<split.lowerBound], method: "", path: "") else { return false }
        let body = answer.distance(from: split.upperBound, to: answer.endIndex)
        if let length = fields["content-length"].flatMap({ Int($0) }) { return body >= length }
        if fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return answer.suffix(5) == Data("0\r\n\r\n".utf8)
        }
        return false
    }

    /// The body of a chunked answer.
    static func dechunked(_ data: Data) throws -> Data {
        var out = Data(), rest = Data(data)
        while let end = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<end.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw Failure(description: "a malformed chunk size '\(sizeText)'")
            }
            if size == 0 { return out }
            let start = end.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { throw Failure(description: "a chunk cut short") }
            let stop = rest.index(start, offsetBy: size)
            out.append(rest[start..<stop])
            rest = Data(rest[stop...].dropFirst(2))
        }
        return out
    }
}
