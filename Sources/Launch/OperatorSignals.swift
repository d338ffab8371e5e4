import Dispatch
import Foundation

/// Signals an operator sends a running process, handled on a dispatch queue instead of killing it:
/// each signal in `handlers` is ignored by default and runs its handler each time it arrives.
package final class OperatorSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    /// Installs `handlers` (signal number → what to do) for the life of this object.
    package init(_ handlers: [Int32: @Sendable () -> Void]) {
        for (number, handler) in handlers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }

    deinit { for source in sources { source.cancel() } }
}
