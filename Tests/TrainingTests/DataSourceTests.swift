import Foundation
import Storage
import TensorCore
@testable import Training
import XCTest

/// `--data` specs, their place in `TrainingConfig`, weighted mixtures and `evaluate --data`.
final class DataSourceTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "phasemask-data-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testParsesEverySpelling() throws {
        XCTAssertEqual(try DataSource(parsing: "fashion-mnist"), DataSource(.fashionMNIST(directory: IDXFile.fashionMNISTDirectory)))
        XCTAssertEqual(try DataSource(parsing: "fashion-mnist:/d@2"), DataSource(.fashionMNIST(directory: "/d"), weight: 2))
        XCTAssertEqual(try DataSource(parsing: "synthetic:blobs@0.5"), DataSource(.synthetic([.blobs]), weight: 0.5))
        XCTAssertEqual(try DataSource(parsing: "synthetic:smooth, zernike,steps"), DataSource(.synthetic([.smooth, .zernike, .steps])))
        XCTAssertEqual(try DataSource(parsing: "folder:/data/cells"), DataSource(.folder("/data/cells")))
        // A plain folder: images, or IDX files as `--data DIR` always meant.
        XCTAssertEqual(try DataSource(parsing: directory), DataSource(.folder(directory)))
        try Data().write(to: URL(fileURLWithPath: directory + "/t10k-images-idx3-ubyte.gz"))
        XCTAssertEqual(try DataSource(parsing: directory + "@3"), DataSource(.fashionMNIST(directory: directory), weight: 3))
    }

    func testBadSpecsSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("synthetic:blobs,clouds", "unknown synthetic generator 'clouds'"),
            ("synthetic:", "at least one generator"),
            ("synthetic:blobs@0", "positive number"),
            ("synthetic:blobs@-1", "positive number"),
            ("/no/such/folder", "no such directory"),
            ("@2", "empty data source"),
        ]
        for (text, fragment) in cases {
            XCTAssertThrowsError(try DataSource(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains(fragment) && "\(error)".contains(text), "\(text): \(error)")
            }
        }
    }

    func testCanonicalSpellingRoundTripsThroughJSON() throws {
        let sources = [DataSource(.synthetic([.polygons, .steps]), weight: 0.25), DataSource(.folder("/x/y")),
                       DataSource(.fashionMNIST(directory: "/fm")), DataSource(.fashionMNIST(directory: IDXFile.fashionMNISTDirectory))]
        XCTAssertEqual(sources.map(\.description), ["synthetic:polygons,steps@0.25", "folder:/x/y", "fashion-mnist:/fm", "fashion-mnist"])
        let json = try JSONEncoder().encode(sources)
        XCTAssertEqual(try JSONDecoder().decode([DataSource].self, from: json), sources)
        XCTAssertThrowsError(try JSONDecoder().decode([DataSource].self, from: Data("[\"/plain/path\"]".utf8)))
    }

    func testOldCheckpointConfigurationStillMeansFashionMNIST() throws {
        let old = Data(#"{"mode":"teacher","size":16,"dataDirectory":"/srv/fmnist"}"#.utf8)
        let config = try JSONDecoder().decode(TrainingConfig.self, from: old)
        XCTAssertEqual(config.dataSources, [])
        XCTAssertEqual(config.effectiveDataSources, [DataSource(.fashionMNIST(directory: "/srv/fmnist"))])
        XCTAssertEqual(config.dataDescription, "FashionMNIST")
        // `--data DIR` for that folder gives the same configuration, so the old run resumes.
        var again = config
        again.dataDirectory = "/elsewhere"
        again.setDataSources([DataSource(.fashionMNIST(directory: "/srv/fmnist"))])
        XCTAssertEqual(again, config)
        // Other sources are stored, survive a round trip, and make the run train differently.
        var synthetic = config
        synthetic.setDataSources([DataSource(.synthetic([.blobs])), DataSource(.fashionMNIST(directory: "/srv/fmnist"), weight: 2)])
        XCTAssertEqual(synthetic.dataSources.count, 2)
        XCTAssertFalse(synthetic.trainsLike(config))
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(synthetic))
        XCTAssertEqual(decoded, synthetic)
    }

    func testWeightedRoundRobinIsProportionalAndPrefixStable() {
        let mixture = SceneMixture([DataSource(.synthetic([.blobs]), weight: 3), DataSource(.synthetic([.steps]), weight: 1)])
        let order = mixture.assignment(40)
        XCTAssertEqual(order.filter { $0 == 0 }.count, 30)
        XCTAssertEqual(Array(order.prefix(4)).sorted(), [0, 0, 0, 1], "every 4 positions hold 3 + 1")
        XCTAssertEqual(mixture.assignment(13), Array(order.prefix(13)))
        XCTAssertEqual(SceneMixture([DataSource(.synthetic([.blobs]))]).assignment(5), [0, 0, 0, 0, 0])
    }

    func testMixtureInterleavesEachSourcesOwnScenes() throws {
        let blobs = DataSource(.synthetic([.blobs])), steps = DataSource(.synthetic([.steps]), weight: 0.5)
        let mixture = SceneMixture([blobs, steps])
        let s = try mixture.splits(SplitCounts(train: 9, validation: 3, test: 6), size: 16, sceneModel: .standard)
        XCTAssertEqual(s.train.shape, [9, 1, 16, 16])
        XCTAssertEqual(s.validation.shape, [3, 1, 16, 16])
        XCTAssertEqual(s.test.shape, [6, 1, 16, 16])
        var taken = [0, 0]
        for (i, source) in mixture.assignment(6).enumerated() {
            let kind: SyntheticKind = source == 0 ? .blobs : .steps
            XCTAssertEqual(s.test.slice(i..<(i + 1)).array,
                           SyntheticScenes.scene(kind, split: .test, index: taken[source], size: 16).array, "test position \(i)")
            taken[source] += 1
        }
        XCTAssertEqual(taken, [4, 2])
    }

    func testConfigurationLoadsItsSourcesAndTestScenesMatch() throws {
        var config = Preset.tiny.config(mode: .e2e)
        config.trainSize = 12; config.validationSize = 4; config.testSize = 5
        config.setDataSources([DataSource(.synthetic([.zernike, .polygons]))])
        let splits = try SceneSplits.load(config)
        XCTAssertEqual(splits.train.shape, [12, 1, 16, 16])
        XCTAssertTrue(splits.test.isBitIdentical(to: try SceneSplits.testScenes(config)))
        XCTAssertEqual(try SceneSplits.testScenes(config, count: 2).array, splits.test.slice(0..<2).array)
        XCTAssertNotEqual(splits.train.slice(0..<1).array, splits.test.slice(0..<1).array)
    }

    func testFolderSourceReportsNotesThroughTheSplits() throws {
        for k in 0..<4 {
            try PNGFile.write(.rgb8((0..<3 * 12 * 12).map { UInt8(($0 * 7 + k) % 256) }, width: 12, height: 12),
                              to: directory + "/c\(k).png")
        }
        let s = try SceneMixture([DataSource(.folder(directory))]).splits(SplitCounts(train: 3, validation: 2, test: 2), size: 8,
                                                                          sceneModel: .standard)
        XCTAssertEqual(s.train.shape, [3, 1, 8, 8])
        XCTAssertEqual(s.notes, ["folder:\(directory!): 4 colour image(s) converted to gray (Rec. 601 luma)"])
    }
}
