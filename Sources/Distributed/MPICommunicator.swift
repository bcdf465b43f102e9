import CMPI
import Foundation
import Training

/// `Communicator` over an Open MPI communicator (docs/scaling.md).
///
/// `allReduceSum` fixes its reduction order instead of leaving it to `MPI_Allreduce` (whose algorithm,
/// and so the order of the additions, Open MPI picks by message size and rank count): each rank owns
/// the segment `[n·k/N, n·(k+1)/N)` of the buffer, receives every rank's copy of it (`MPI_Alltoallv`),
/// adds them in rank order, and the summed segments are gathered back (`MPI_Allgatherv`). That moves
/// 2(N − 1)/N of the buffer in and out of each rank, as a ring all-reduce does, and gives every rank the
/// same bits. Every call comes from the thread that initialised MPI (`MPI_THREAD_FUNNELED`). An MPI
/// error ends the job (MPI's default error handler), which mpirun reports.
public final class MPICommunicator: Communicator {
    let communicator: MPI_Comm
    public let rank: Int
    public let size: Int
    /// Every rank's copy of this rank's segment (`allReduceSum`), kept between calls.
    private var received: [Float] = []

    init(_ communicator: MPI_Comm) {
        self.communicator = communicator
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(communicator, &r)
        MPI_Comm_size(communicator, &n)
        rank = Int(r)
        size = Int(n)
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, let base = buffer.baseAddress else { return }
        let n = buffer.count
        let starts = (0...size).map { Int32(n * $0 / size) }
        let lengths = (0..<size).map { starts[$0 + 1] - starts[$0] }
        let own = Int(lengths[rank])
        // Every rank's copy of this rank's segment, rank after rank.
        if received.count < own * size { received = [Float](repeating: 0, count: own * size) }
        let ownCounts = [Int32](repeating: Int32(own), count: size)
        let receivedStarts = (0..<size).map { Int32($0 * own) }
        received.withUnsafeMutableBufferPointer { r in
            check(MPI_Alltoallv(base, lengths, Array(starts.prefix(size)), phasemask_mpi_float(),
                                r.baseAddress, ownCounts, receivedStarts, phasemask_mpi_float(), communicator), "MPI_Alltoallv")
            let segment = base + Int(starts[rank])
            for i in 0..<own { segment[i] = r[i] }
            for k in 1..<size {
                let copy = r.baseAddress! + k * own
                for i in 0..<own { segment[i] += copy[i] }
            }
        }
        check(MPI_Allgatherv(phasemask_mpi_in_place(), 0, phasemask_mpi_float(), base, lengths, Array(starts.prefix(size)),
                             phasemask_mpi_float(), communicator), "MPI_Allgatherv")
    }

    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        var count = Int64(bytes.count)
        var counts = [Int64](repeating: 0, count: size)
        check(MPI_Allgather(&count, 8, phasemask_mpi_byte(), &counts, 8, phasemask_mpi_byte(), communicator), "MPI_Allgather")
        precondition(counts.allSatisfy { $0 <= Int64(Int32.max) }, "allGather: a rank sent more than 2 GiB")
        let lengths = counts.map { Int32($0) }
        var starts = [Int32](repeating: 0, count: size)
        for k in 1..<size { starts[k] = starts[k - 1] + lengths[k - 1] }
        var all = [UInt8](repeating: 0, count: Int(counts.reduce(0, +)))
        bytes.withUnsafeBufferPointer { mine in
            all.withUnsafeMutableBufferPointer { out in
                check(MPI_Allgatherv(mine.baseAddress, Int32(bytes.count), phasemask_mpi_byte(), out.baseAddress, lengths, starts,
                                     phasemask_mpi_byte(), communicator), "MPI_Allgatherv")
            }
        }
        return (0..<size).map { Array(all[Int(starts[$0])..<Int(starts[$0] + lengths[$0])]) }
    }

    public func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] {
        guard size > 1 else { return bytes }
        var count = Int64(bytes.count)
        check(MPI_Bcast(&count, 8, phasemask_mpi_byte(), Int32(root), communicator), "MPI_Bcast")
        var data = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count))
        if count > 0 {
            data.withUnsafeMutableBufferPointer { p in
                check(MPI_Bcast(p.baseAddress, Int32(count), phasemask_mpi_byte(), Int32(root), communicator), "MPI_Bcast")
            }
        }
        return data
    }

    public func barrier() {
        check(MPI_Barrier(communicator), "MPI_Barrier")
    }

    /// MPI's default error handler ends the job on an error; a code other than success that still comes
    /// back is a broken installation, reported and fatal.
    private func check(_ code: Int32, _ call: String) {
        guard code != phasemask_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(phasemask_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        fatalError("\(call) failed on rank \(rank): \(String(cString: text))")
    }
}
