import Foundation

/// A numeric table read from CSV: every row has `columnCount` finite values.
public struct CSVTable: Equatable, Sendable {
    /// Column names, when the file had a header row.
    public let header: [String]?
    /// The values, row by row.
    public let rows: [[Double]]
    public let columnCount: Int
    /// The file the table came from (for error messages), or "<memory>".
    public let path: String

    /// The values of column `index` (0-based).
    public func column(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < columnCount, "column \(index) of \(columnCount)")
        return rows.map { $0[index] }
    }

    /// The values of the column whose header is `name`.
    public func column(named name: String) throws -> [Double] {
        guard let index = header?.firstIndex(of: name) else {
            throw StorageError(.notFound, path: path, "no column named '\(name)' (columns: \(header?.joined(separator: ", ") ?? "no header row"))")
        }
        return column(index)
    }
}

/// Numeric CSV tables: SLM lookup tables (gray, phase), 10-bit SLM frames, metric logs.
///
/// Reading: fields are separated by `separator` and trimmed; blank lines and lines starting with `#`
/// are skipped; line endings may be LF or CRLF; a UTF-8 byte-order mark is ignored. Every value must
/// be a finite number, and every row must have as many fields as the first. Errors name the file,
/// the line (1-based, counting every line of the file) and the column (1-based).
/// Writing: values are written in the shortest form that reads back to the same Double (integral
/// values without a decimal point), through `AtomicFile`.
public enum CSVFile {
    public enum HeaderRow: Sendable {
        /// Every line is data.
        case absent
        /// The first line is a header.
        case present
        /// The first line is a header when any of its fields is not a number.
        case automatic
    }

    /// Reads a numeric table; `columns`, when given, is the required number of columns.
    public static func read(path: String, header: HeaderRow = .automatic, separator: Character = ",",
                            columns: Int? = nil) throws -> CSVTable {
        let bytes = try readFileBytes(path)
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw StorageError(.corrupt, path: path, "not UTF-8 text")
        }
        return try parse(text, path: path, header: header, separator: separator, columns: columns)
    }

    /// Parses CSV text; `path` names the source in errors.
    public static func parse(_ text: String, path: String = "<memory>", header: HeaderRow = .automatic,
                             separator: Character = ",", columns: Int? = nil) throws -> CSVTable {
        var names: [String]? = nil
        var rows: [[Double]] = []
        var width: Int? = columns
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // "\r\n" is one Character in Swift, so it is matched as a whole.
        let lines = body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (offset, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let lineNumber = offset + 1
            let fields = try splitFields(line, separator: separator, path: path, line: lineNumber)
            if rows.isEmpty && names == nil && isHeader(fields, header) {
                names = fields
                try checkWidth(fields.count, &width, path, lineNumber, what: "header")
                continue
            }
            try checkWidth(fields.count, &width, path, lineNumber, what: "row")
            rows.append(try fields.enumerated().map { column, field in
                guard let value = Double(field), value.isFinite else {
                    let shown = field.isEmpty ? "an empty field" : "'\(field)'"
                    throw StorageError(.invalidValue, path: path, object: "line \(lineNumber), column \(column + 1)",
                                       "\(shown) is not a finite number")
                }
                return value
            })
        }
        return CSVTable(header: names, rows: rows, columnCount: width ?? names?.count ?? 0, path: path)
    }

    /// Writes `rows` (all of one length, finite values) with an optional header row, atomically.
    public static func write(_ rows: [[Double]], header: [String]? = nil, to path: String,
                             separator: Character = ",") throws {
        try AtomicFile.write(Array(encode(rows, header: header, path: path, separator: separator).utf8), to: path)
    }

    /// Writes integer rows (e.g. 10-bit SLM gray levels) with an optional header row, atomically.
    public static func write(integers rows: [[Int]], header: [String]? = nil, to path: String,
                             separator: Character = ",") throws {
        let width = header?.count ?? rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != width }) {
            throw StorageError(.mismatch, path: path, object: "row \(bad + 1)", "\(rows[bad].count) values, expected \(width)")
        }
        var text = header.map { $0.map(quote).joined(separator: String(separator)) + "\n" } ?? ""
        for row in rows { text += row.map(String.init).joined(separator: String(separator)) + "\n" }
        try AtomicFile.write(Array(text.utf8), to: path)
    }

    /// The CSV text of `rows`; non-finite values and ragged rows are errors naming `path`.
    public static func encode(_ rows: [[Double]], header: [String]? = nil, path: String = "<memory>",
                              separator: Character = ",") throws -> String {
        let width = header?.count ?? rows.first?.count ?? 0
        var text = header.map { $0.map(quote).joined(separator: String(separator)) + "\n" } ?? ""
        for (r, row) in rows.enumerated() {
            guard row.count == width else {
                throw StorageError(.mismatch, path: path, object: "row \(r + 1)", "\(row.count) values, expected \(width)")
            }
            if let c = row.firstIndex(where: { !$0.isFinite }) {
                throw StorageError(.invalidValue, path: path, object: "row \(r + 1), column \(c + 1)", "\(row[c]) cannot be written")
            }
            text += row.map(format).joined(separator: String(separator)) + "\n"
        }
        return text
    }

    /// The shortest text that reads back as `value`; integral values without ".0".
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func isHeader(_ fields: [String], _ option: HeaderRow) -> Bool {
        switch option {
        case .absent: return false
        case .present: return true
        case .automatic: return fields.contains { Double($0) == nil }
        }
    }

    private static func checkWidth(_ count: Int, _ width: inout Int?, _ path: String, _ line: Int, what: String) throws {
        if let expected = width, expected != count {
            throw StorageError(.mismatch, path: path, object: "line \(line)", "\(what) has \(count) fields, expected \(expected)")
        }
        width = count
    }

    /// The trimmed fields of one line. A field may be quoted ("a, b"), with "" for a literal quote.
    private static func splitFields(_ line: Substring, separator: Character, path: String, line number: Int) throws -> [String] {
        var fields: [String] = [], current = "", quoted = false, inQuotes = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if inQuotes {
                if c == "\"" {
                    inQuotes = false
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                if quoted { current.append("\"") }   // "" inside a quoted field
                else if current.allSatisfy(\.isWhitespace) { current = "" }
                quoted = true
                inQuotes = true
            } else if c == separator {
                fields.append(quoted ? current : current.trimmingCharacters(in: .whitespaces))
                current = ""
                quoted = false
            } else if !(quoted && c.isWhitespace) {
                current.append(c)
            }
        }
        guard !inQuotes else { throw StorageError(.corrupt, path: path, object: "line \(number)", "unterminated quoted field") }
        fields.append(quoted ? current : current.trimmingCharacters(in: .whitespaces))
        return fields
    }

    private static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == ";" || $0 == "\t" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
