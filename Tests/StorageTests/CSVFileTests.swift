import Storage
import XCTest

final class CSVFileTests: XCTestCase {
    func testReadsLookupTableWithHeaderCommentsAndCRLF() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/lut.csv"
        writeBytes(Array("\u{FEFF}# measured 2024\r\ngray, phase\r\n0, 0.0\r\n\r\n128, 3.14159\r\n255,6.2\r\n".utf8), path)
        let table = try CSVFile.read(path: path, columns: 2)
        XCTAssertEqual(table.header, ["gray", "phase"])
        XCTAssertEqual(table.rows, [[0, 0], [128, 3.14159], [255, 6.2]])
        XCTAssertEqual(try table.column(named: "phase"), [0, 3.14159, 6.2])
        XCTAssertEqual(table.column(0), [0, 128, 255])
        assertStorageError(.notFound, [path, "'level'", "gray, phase"]) { try table.column(named: "level") }
    }

    func testHeaderOptions() throws {
        XCTAssertNil(try CSVFile.parse("1,2\n3,4\n").header)
        XCTAssertEqual(try CSVFile.parse("1,2\n3,4\n", header: .present).rows, [[3, 4]])
        XCTAssertEqual(try CSVFile.parse("1;2\n3;4", header: .absent, separator: ";").rows, [[1, 2], [3, 4]])
        XCTAssertEqual(try CSVFile.parse("\"a,b\",c\n1,2").header, ["a,b", "c"])
        XCTAssertEqual(try CSVFile.parse(" \"say \"\"hi\"\"\" , c\n1,2").header, ["say \"hi\"", "c"])
        assertStorageError(.mismatch, ["line 4"]) { try CSVFile.parse("a,b\r\n1,2\r\n\r\n3\r\n") }
        assertStorageError(.corrupt, ["line 1", "unterminated"]) { try CSVFile.parse("\"a,b\n1,2") }
    }

    func testErrorsNameFileLineAndColumn() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/frame.csv"
        writeBytes(Array("gray,phase\n1,2\n3,x\n".utf8), path)
        assertStorageError(.invalidValue, [path, "line 3, column 2", "'x'"]) { try CSVFile.read(path: path) }
        writeBytes(Array("1,2\n\n3\n".utf8), path)
        assertStorageError(.mismatch, [path, "line 3", "1 fields, expected 2"]) { try CSVFile.read(path: path) }
        writeBytes(Array("1,,2\n".utf8), path)
        assertStorageError(.invalidValue, [path, "line 1, column 2", "empty field"]) { try CSVFile.read(path: path, header: .absent) }
        writeBytes(Array("1,nan\n".utf8), path)
        assertStorageError(.invalidValue, [path, "column 2", "finite"]) { try CSVFile.read(path: path, header: .absent) }
        writeBytes(Array("1,2,3\n".utf8), path)
        assertStorageError(.mismatch, [path, "line 1", "expected 2"]) { try CSVFile.read(path: path, columns: 2) }
        assertStorageError(.notFound, [dir + "/none.csv"]) { try CSVFile.read(path: dir + "/none.csv") }
    }

    func testWriteRoundTripsExactly() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/out.csv"
        let rows: [[Double]] = [[0, 0.1], [255, 2 * .pi], [-3, 1e-300], [1e20, -0.5]]
        try CSVFile.write(rows, header: ["gray", "phase, rad"], to: path)
        let back = try CSVFile.read(path: path)
        XCTAssertEqual(back.rows, rows)
        XCTAssertEqual(back.header, ["gray", "phase, rad"])
        XCTAssertTrue(String(decoding: readBytes(path), as: UTF8.self).hasPrefix("gray,\"phase, rad\"\n0,0.1\n255,"))

        try CSVFile.write(integers: [[0, 1023], [512, 7]], to: dir + "/frame.csv")
        XCTAssertEqual(String(decoding: readBytes(dir + "/frame.csv"), as: UTF8.self), "0,1023\n512,7\n")
    }

    func testBadRowsAreNotWrittenAndLeaveNoFile() throws {
        let dir = try makeTemporaryDirectory(self)
        assertStorageError(.invalidValue, [dir + "/a.csv", "row 2, column 1"]) {
            try CSVFile.write([[1, 2], [.nan, 3]], to: dir + "/a.csv")
        }
        assertStorageError(.mismatch, [dir + "/b.csv", "row 2"]) { try CSVFile.write(integers: [[1, 2], [3]], to: dir + "/b.csv") }
        XCTAssertEqual(directoryListing(dir), [])
    }
}
