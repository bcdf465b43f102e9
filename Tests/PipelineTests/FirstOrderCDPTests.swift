import Foundation
import Optics
import Storage
import TensorCore
@testable import Pipeline
import XCTest

/// `reconstruct` reads a sensor written by `simulate --zero-order` through its recorded first-order
/// window, and a plain CDP file as it is.
final class FirstOrderCDPTests: XCTestCase {
    func testTheRecordedWindowIsTakenBackOutOfTheSensor() throws {
        let path = NSTemporaryDirectory() + "first-order-\(UUID().uuidString).h5"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Sensor [1, 1, 6, 8] holding 100·row + column; window 2×4 at bin (5, 7) (wrapping), divisor 2.
        let sensor = Tensor((0..<48).map { Float(100 * ($0 / 8) + $0 % 8) }, shape: [1, 1, 6, 8])
        let file = try HDF5File.create(path: path)
        try file.write(sensor, to: "/cdp")
        try file.setAttribute(FirstOrderWindow.binAttribute, .ints([5, 7]), on: "/cdp")
        try file.setAttribute(FirstOrderWindow.sizeAttribute, .ints([2, 4]), on: "/cdp")
        try file.write([Float](repeating: 2, count: 8), shape: [2, 4], to: FirstOrderWindow.divisorDataset)
        try file.close()
        let reader = try HDF5File.open(path: path)
        defer { try? reader.close() }
        let (cdp, window) = try FirstOrderWindow.cdp(in: reader, path: path)
        XCTAssertEqual(window?.row, 5)
        XCTAssertEqual(cdp.shape, [1, 1, 2, 4])
        // Window rows a = 0, 1 → signed 0, −1 → sensor rows 5, 4; columns b = 0…3 → 0, 1, −2, −1 → 7, 0, 5, 6.
        let rows = [5, 4], columns = [7, 0, 5, 6]
        XCTAssertEqual(cdp.array, rows.flatMap { r in columns.map { c in Float(100 * r + c) / 2 } })
    }

    func testAPlainCDPFileIsReadAsItIs() throws {
        let path = NSTemporaryDirectory() + "plain-cdp-\(UUID().uuidString).h5"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let y = Tensor((0..<16).map(Float.init), shape: [1, 1, 4, 4])
        let file = try HDF5File.create(path: path)
        try file.write(y, to: "/cdp")
        try file.close()
        let reader = try HDF5File.open(path: path)
        defer { try? reader.close() }
        let (cdp, window) = try FirstOrderWindow.cdp(in: reader, path: path)
        XCTAssertNil(window)
        XCTAssertEqual(cdp.array, y.array)
    }
}
