// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ReviewTrail",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "review", targets: ["review"]),
        .library(name: "RunnerCore", targets: ["RunnerCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            /** libgit2 through pkg-config; static inline shims for what Swift cannot import */
            name: "CLibgit2",
            path: "Sources/CLibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev", "pkg-config"])]
        ),
        .target(
            /** The only user of libgit2: blobs, trees, commits on a ref with compare-and-swap, history, bundles */
            name: "GitStore",
            dependencies: ["CLibgit2"]
        ),
        .target(
            /** Streaming SHA-256/SHA-512 of files, the stat cache, canonical manifests */
            name: "ContentHash",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            /** Pure values: workflow.json decoding and validation with JSON paths, step keys, manifests */
            name: "WorkflowModel",
            exclude: ["workflow.schema.json"]
        ),
        .target(
            /** Bibliographic records: readers and writers for search exports, deduplication */
            name: "Bibliography"
        ),
        .target(
            /** Plans, runs and snapshots steps; reads the trail back at file level (log, show, verify) */
            name: "RunnerCore",
            dependencies: ["GitStore", "ContentHash", "WorkflowModel"]
        ),
        .target(
            /** Packs the trail's last snapshot as a BagIt + RO-Crate archive with the trail bundle, and deposits it in Dataverse */
            name: "Archive",
            dependencies: ["RunnerCore", "GitStore", "ContentHash", "WorkflowModel", "Bibliography"]
        ),
        .target(
            /** The built-in steps of the five stages */
            name: "Stages",
            dependencies: ["RunnerCore", "WorkflowModel", "ContentHash", "Bibliography"]
        ),
        .target(
            /** What an auditor asks of a trail: reproduce it from a clone, detect a rewrite, trace a record, diff snapshots */
            name: "Audit",
            dependencies: ["RunnerCore", "GitStore", "WorkflowModel", "ContentHash", "Bibliography"]
        ),
        .target(
            /** The command line: thin commands, shared options, exit codes */
            name: "ReviewCommands",
            dependencies: [
                "RunnerCore", "Stages", "Audit", "WorkflowModel", "ContentHash", "Bibliography", "Archive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            /** The `review` entry point */
            name: "review",
            dependencies: ["ReviewCommands"]
        ),
        .target(
            /** Test helpers: temporary folders, the example review, running the binary, git CLI checks */
            name: "ReviewTestSupport",
            dependencies: ["RunnerCore", "WorkflowModel", "ContentHash"],
            path: "Tests/ReviewTestSupport"
        ),
        .testTarget(name: "GitStoreTests", dependencies: ["GitStore", "ReviewTestSupport"]),
        .testTarget(name: "ContentHashTests", dependencies: ["ContentHash", "ReviewTestSupport"]),
        .testTarget(name: "WorkflowModelTests", dependencies: ["WorkflowModel", "Stages", "ReviewTestSupport"]),
        .testTarget(name: "RunnerCoreTests", dependencies: ["RunnerCore", "Stages", "ReviewTestSupport"]),
        .testTarget(name: "StagesTests", dependencies: ["Stages", "Bibliography", "ReviewTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "BibliographyTests", dependencies: ["Bibliography", "ReviewTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Stages", "GitStore", "ContentHash", "ReviewTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "Bibliography", "RunnerCore", "Stages", "WorkflowModel", "ReviewTestSupport"]),
        .testTarget(name: "ReviewEndToEndTests", dependencies: ["ReviewTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
