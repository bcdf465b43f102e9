import Autodiff
import Optics
import TensorCore
import TestSupport
import XCTest

/// Walks the op table (Tests/TestSupport/OpTable.swift): every op recorded by Autodiff or Optics has a
/// finite-difference row, every linear operator an adjointness row.
final class OpTableTests: XCTestCase {
    func testEveryOpOfTheCatalogsHasItsRows() {
        let (rows, adjoints) = (OpTable.gradientRows(), OpTable.adjointRows())
        XCTAssertEqual(OpTable.uncovered(catalog: OpTable.catalog, gradientRows: rows, adjointRows: adjoints), [])
        // The coverage check itself notices a missing row.
        let extra = OpTable.catalog + [(op: "newOp", isLinearOperator: true)]
        XCTAssertEqual(OpTable.uncovered(catalog: extra, gradientRows: rows, adjointRows: adjoints),
                       ["newOp", "newOp (adjoint)"])
        XCTAssertEqual(OpTable.uncovered(catalog: Array(OpTable.catalog.dropFirst()), gradientRows: rows,
                                         adjointRows: adjoints), ["\(OpTable.catalog[0].op) (not in the catalog)"])
    }

    func testGradients() {
        for row in OpTable.gradientRows() {
            let failures = checkGradients(inputs: row.inputs, epsilon: row.epsilon, tolerance: row.tolerance,
                                          wrt: row.wrt, row.apply)
            XCTAssertEqual(failures.map(\.description), [], row.label)
        }
    }

    /// Each row applies the op it names, and a recording tape abandoned before its backward pass is freed
    /// (a pullback that captured a variable would keep the tape alive through it).
    func testRowsRecordTheirOpAndLeaveNoCycle() {
        for row in OpTable.gradientRows() {
            weak var weakTape: Tape?
            do {
                let tape = Tape()
                weakTape = tape
                _ = row.apply(tape, row.inputs.map { tape.leaf($0) })
                XCTAssertTrue(tape.recordedOps.contains(row.op), "\(row.label) records \(tape.recordedOps)")
            }
            XCTAssertNil(weakTape, row.label)
        }
    }

    /// `⟨Ax, y⟩ = ⟨x, Aᴴy⟩` with Aᴴ written out, and the op's pullback of y is that Aᴴy (seeding the
    /// backward pass with y yields ḡx = Aᴴy under the tape's gradient convention).
    func testAdjointness() {
        for row in OpTable.adjointRows() {
            let tape = Tape()
            let x = tape.leaf(row.x)
            let ax = row.forward(x)
            XCTAssertTrue(tape.recordedOps.contains(row.op), "\(row.label) records \(tape.recordedOps)")
            tape.backward(from: ax.node, seed: row.y.storage)
            let ahy = row.adjoint(row.y)
            let lhs = innerProduct(ax.field, row.y), rhs = innerProduct(row.x, ahy)
            let scale = (row.x.squaredNorm() * row.y.squaredNorm()).squareRoot()
            XCTAssertEqual(lhs.re, rhs.re, accuracy: 1e-5 * scale, row.label)
            XCTAssertEqual(lhs.im, rhs.im, accuracy: 1e-5 * scale, row.label)
            guard let pullback = x.gradient else { XCTFail("\(row.label): no gradient reached x"); continue }
            XCTAssertLessThan(maxAbsDifference(pullback.storage, ahy.storage), 1e-5 * max(1, maxAbs(ahy.storage)),
                              row.label)
        }
    }
}
