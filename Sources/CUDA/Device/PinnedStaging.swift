/// Two page-locked host buffers that uploads and downloads pass through in pieces: while the device copies
/// one piece, the host fills (or drains) the other, so the copy engine and the host work at the same time.
final class PinnedStaging: @unchecked Sendable {
    private let driver: DriverAPI
    private let context: CUHandle
    private let halves: [UnsafeMutableRawPointer]
    private let events: [CUHandle]
    /// Bytes in each half.
    let pieceBytes: Int

    init(driver: DriverAPI, context: CUHandle, bytes: Int) throws(CUDAError) {
        self.driver = driver; self.context = context
        pieceBytes = bytes / 2
        var halves: [UnsafeMutableRawPointer] = [], events: [CUHandle] = []
        for _ in 0..<2 {
            var host: UnsafeMutableRawPointer?
            try driver.check(driver.cuMemAllocHost(&host, bytes / 2), "cuMemAllocHost(\(bytes / 2))")
            halves.append(host!)
            var event: CUHandle?
            try driver.check(driver.cuEventCreate(&event, 2 /* CU_EVENT_DISABLE_TIMING */), "cuEventCreate")
            events.append(event!)
        }
        self.halves = halves; self.events = events
    }

    deinit {
        _ = driver.cuCtxSetCurrent(context)  // deinit runs on whichever thread let go last
        halves.forEach { _ = driver.cuMemFreeHost($0) }
    }

    func upload(_ source: UnsafeRawPointer, bytes: Int, to destination: CUDevicePointer, device: CUDADevice) {
        var offset = 0, piece = 0
        while offset < bytes {
            let n = min(pieceBytes, bytes - offset), half = piece & 1
            // the copy that last read this half must be done before the host overwrites it
            if piece >= 2 { device.checked(driver.cuEventSynchronize(events[half]), "cuEventSynchronize") }
            halves[half].copyMemory(from: source + offset, byteCount: n)
            device.checked(driver.cuMemcpyHtoDAsync(destination + CUDevicePointer(offset), halves[half], n, device.stream), "cuMemcpyHtoDAsync")
            device.checked(driver.cuEventRecord(events[half], device.stream), "cuEventRecord")
            offset += n; piece += 1
        }
        device.synchronize()
    }

    func download(_ source: CUDevicePointer, bytes: Int, into destination: UnsafeMutableRawPointer, device: CUDADevice) {
        var offset = 0, piece = 0
        var pending: (half: Int, offset: Int, count: Int)?
        while offset < bytes || pending != nil {
            var queued: (half: Int, offset: Int, count: Int)?
            if offset < bytes {
                let n = min(pieceBytes, bytes - offset), half = piece & 1
                device.checked(driver.cuMemcpyDtoHAsync(halves[half], source + CUDevicePointer(offset), n, device.stream), "cuMemcpyDtoHAsync")
                device.checked(driver.cuEventRecord(events[half], device.stream), "cuEventRecord")
                queued = (half, offset, n)
                offset += n; piece += 1
            }
            if let done = pending {
                device.checked(driver.cuEventSynchronize(events[done.half]), "cuEventSynchronize")
                (destination + done.offset).copyMemory(from: halves[done.half], byteCount: done.count)
            }
            pending = queued
        }
    }
}
