import CZeroMQ
import Dispatch
import Foundation
import Logging
import Synchronization

/// The context's ZAP handler (ZeroMQ RFC 27): a `REP` socket bound to `inproc://zeromq.zap.01` on its own
/// thread. libzmq asks it about every CurveZMQ client of every router in the context; each router has its
/// own ZAP domain, registered here with the public keys it admits. Anything else is refused (status 400)
/// and libzmq closes that connection: the client is answered nothing.
final class ZAPAuthenticator: @unchecked Sendable {
    /// The allowed keys of one router, and how many clients it refused.
    private struct Domain {
        var allowed: Set<[UInt8]>
        var logger: Logger
        var refused = 0
    }

    private let domains = Mutex<[String: Domain]>([:])
    private let logger = Logger(label: "rlhf.zmq")
    private static let nextDomain = Atomic<Int>(0)

    private init() {}

    /// Starts the handler thread on `context` and returns once its socket is bound (or binding failed).
    static func start(context: UnsafeMutableRawPointer) throws(ZMQError) -> ZAPAuthenticator {
        let authenticator = ZAPAuthenticator()
        let bound = DispatchSemaphore(value: 0)
        let outcome = Mutex<ZMQError?>(nil)
        let contextAddress = UInt(bitPattern: context)
        let thread = Thread { [authenticator] in
            Thread.current.name = "zmq-zap"
            let context = UnsafeMutableRawPointer(bitPattern: contextAddress)!
            let socket: SocketHandle
            do throws(ZMQError) {
                socket = try SocketHandle(context: context, type: ZMQ_REP, name: "zap")
                guard zmq_bind(socket.raw, "inproc://zeromq.zap.01") == 0 else {
                    let error = ZMQError.last("bind inproc://zeromq.zap.01 (another ZAP handler in this context?)")
                    socket.close()
                    throw error
                }
            } catch {
                outcome.withLock { $0 = error }
                bound.signal()
                return
            }
            bound.signal()
            authenticator.serve(socket)
            socket.close()
        }
        thread.start()
        bound.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
        return authenticator
    }

    /// Registers a new domain admitting `allowed`, logging its refusals to `logger`, and returns its name
    /// (to set as `ZMQ_ZAP_DOMAIN`).
    func register(allowed: Set<CurveKey>, logger: Logger) -> String {
        let name = "rlhf-\(Self.nextDomain.add(1, ordering: .relaxed).newValue)"
        domains.withLock { $0[name] = Domain(allowed: Set(allowed.map(\.bytes)), logger: logger) }
        return name
    }

    /// Admits `key` in `domain` from now on (a worker issued while the router runs); false if no such domain.
    func admit(_ key: CurveKey, in domain: String) -> Bool {
        domains.withLock { domains in
            guard domains[domain] != nil else { return false }
            domains[domain]!.allowed.insert(key.bytes)
            return true
        }
    }

    /// Forgets `domain`; its later clients are refused.
    func unregister(_ domain: String) {
        _ = domains.withLock { $0.removeValue(forKey: domain) }
    }

    /// How many clients `domain` refused so far.
    func refusals(_ domain: String) -> Int {
        domains.withLock { $0[domain]?.refused ?? 0 }
    }

    /// Answers requests until the context shuts down (every call then fails with `ETERM`).
    private func serve(_ socket: SocketHandle) {
        while true {
            guard let request = receiveMultipart(socket) else { return }
            let reply = answer(request)
            for (index, frame) in reply.enumerated() {
                let flags = index < reply.count - 1 ? ZMQ_SNDMORE : 0
                let rc = frame.withUnsafeBytes { zmq_send(socket.raw, $0.baseAddress, $0.count, flags) }
                if rc < 0, zmq_errno() == ETERM { return }
            }
        }
    }

    /// The reply frames for one request: version, request id, status code, status text, user id, metadata.
    private func answer(_ request: [[UInt8]]) -> [[UInt8]] {
        let text = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        guard request.count >= 6, text(request[0]) == "1.0" else {
            logger.warning("zmq: ZAP request with \(request.count) frames is malformed; refused")
            return [Array("1.0".utf8), request.count > 1 ? request[1] : [], Array("500".utf8),
                    Array("malformed ZAP request".utf8), [], []]
        }
        let (requestID, domain, address, mechanism) = (request[1], text(request[2]), text(request[3]), text(request[5]))
        func reply(_ code: String, _ status: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(status.utf8), Array(user.utf8), []]
        }
        guard mechanism == "CURVE", request.count == 7, request[6].count == 32 else {
            return refuse(domain, reply("400", "mechanism \(mechanism) is not accepted"),
                          "zmq: refused a \(mechanism) client from \(address) (domain \(domain)): only CURVE is accepted")
        }
        let key = request[6]
        let admitted = domains.withLock { $0[domain]?.allowed.contains(key) ?? false }
        let z85 = CurveKey(bytes: key)!.z85
        guard admitted else {
            return refuse(domain, reply("400", "unknown package key"),
                          "zmq: refused CURVE client \(z85) from \(address) (domain \(domain)): its package key was not given")
        }
        return reply("200", "OK", user: z85)
    }

    /// Counts a refusal for `domain` and logs it (the first 10, then every 1000th).
    private func refuse(_ domain: String, _ reply: [[UInt8]], _ line: String) -> [[UInt8]] {
        let (count, domainLogger) = domains.withLock { (domains: inout [String: Domain]) -> (Int, Logger?) in
            domains[domain]?.refused += 1
            return (domains[domain]?.refused ?? 0, domains[domain]?.logger)
        }
        if count <= 10 || count % 1000 == 0 { (domainLogger ?? logger).warning("\(line) [\(count) refused]") }
        return reply
    }

    /// One whole multipart message, or nil once the context shuts down.
    private func receiveMultipart(_ socket: SocketHandle) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        repeat {
            while zmq_msg_recv(&message, socket.raw, 0) < 0 {
                if zmq_errno() != EINTR { return nil }
            }
            let size = zmq_msg_size(&message)
            frames.append(size == 0 ? [] : Array(UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: size)))
        } while zmq_msg_more(&message) != 0
        return frames
    }
}
