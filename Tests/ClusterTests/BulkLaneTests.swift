@testable import ClusterTransport
import XCTest
import ZeroMQ

/// The learner's receive lanes: heartbeats and small messages are answered at once, large ones wait in
/// the bulk lane with the small ones their peer sent after them (each peer's order kept), and a peer
/// with two large messages waiting, or a lane over its bytes, has the next one dropped as a flood.
final class BulkLaneTests: XCTestCase {
    private func message(_ peer: UInt8, bytes: Int) -> RoutedMessage {
        RoutedMessage(peer: PeerIdentity([peer]), frames: [Frame([1, 2]), Frame([UInt8](repeating: 7, count: bytes))])
    }

    func testRoutesKeepEachPeersOrderAndBoundAFlood() async {
        let lane = BulkLane(perPeerLimit: 2, totalBytesLimit: 250 << 10)
        let large = BulkLane.thresholdBytes + 1
        XCTAssertEqual(route(lane, message(1, bytes: 100)), "now", "small, nothing waiting")
        XCTAssertEqual(route(lane, message(1, bytes: large)), "queued")
        XCTAssertEqual(route(lane, message(1, bytes: 100)), "queued", "small, behind its peer's large one")
        XCTAssertEqual(route(lane, message(1, bytes: 10), heartbeat: true), "now", "a heartbeat never waits")
        XCTAssertEqual(route(lane, message(2, bytes: 100)), "now", "another peer's small message does not wait")
        XCTAssertEqual(route(lane, message(1, bytes: large)), "flood", "a third large one from the same peer")
        XCTAssertEqual(route(lane, message(2, bytes: large)), "queued")
        XCTAssertEqual(route(lane, message(3, bytes: large)), "queued")
        XCTAssertEqual(route(lane, message(4, bytes: large)), "flood", "the lane's bytes are spent")
        // handled in arrival order; once handled, the peer's messages take the first lane again
        var taken: [(UInt8, Int)] = []
        for await item in lane.items {
            taken.append((item.message.peer.bytes[0], item.bytes))
            lane.done(item)
            if taken.count == 4 { break }
        }
        XCTAssertEqual(taken.map(\.0), [1, 1, 2, 3])
        XCTAssertEqual(route(lane, message(1, bytes: 100)), "now")
        XCTAssertEqual(route(lane, message(4, bytes: large)), "queued")
    }

    private func route(_ lane: BulkLane, _ message: RoutedMessage, heartbeat: Bool = false) -> String {
        switch lane.route(message, isHeartbeat: heartbeat) {
        case .now: "now"
        case .queued: "queued"
        case .flood: "flood"
        }
    }
}
