import Foundation

/// A process-wide recycler of Float32 buffers.
///
/// Training repeats the same sequence of tensor allocations every step. When a `Tensor` dies its
/// buffer is returned here and the next request for the same element count reuses it, so a steady
/// training step performs no large `malloc`. Buffers are 64-byte aligned (AVX-512 cache lines).
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var lock = NSLock()
    /// Bytes currently handed out to live tensors.
    public private(set) var liveBytes = 0
    /// Highest value `liveBytes` has reached since the last `resetPeak()`.
    public private(set) var peakLiveBytes = 0
    /// Bytes parked in the free lists.
    public private(set) var pooledBytes = 0

    /// A buffer of `count` floats with undefined contents.
    public func acquire(_ count: Int) -> UnsafeMutablePointer<Float> {
        let capacity = max(count, 1)
        lock.lock()
        defer { lock.unlock() }
        liveBytes += capacity * 4
        peakLiveBytes = max(peakLiveBytes, liveBytes)
        if var list = free[capacity], let p = list.popLast() {
            free[capacity] = list
            pooledBytes -= capacity * 4
            return p
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: capacity)
    }

    /// Gives a buffer obtained from `acquire(count)` back for reuse.
    public func release(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let capacity = max(count, 1)
        lock.lock()
        defer { lock.unlock() }
        liveBytes -= capacity * 4
        pooledBytes += capacity * 4
        free[capacity, default: []].append(pointer)
    }

    /// Frees every parked buffer (live tensors are unaffected).
    public func drain() {
        lock.lock()
        defer { lock.unlock() }
        for (_, list) in free { for p in list { UnsafeMutableRawPointer(p).deallocate() } }
        free.removeAll()
        pooledBytes = 0
    }

    public func resetPeak() {
        lock.lock()
        peakLiveBytes = liveBytes
        lock.unlock()
    }
}
