// swift-tools-version:6.1
import PackageDescription

// A separate package so the benchmark builds in release without touching the product's build.
// Sources/Bibliography is a symbolic link to the product's own target.
let package = Package(
    name: "DedupBenchmark",
    targets: [
        .target(
            /** The product's Bibliography target (readers and the deduplicator), built here in release */
            name: "Bibliography"
        ),
        .executableTarget(
            /** Times import plus deduplication of one export and writes the clusters it found */
            name: "dedup-bench",
            dependencies: ["Bibliography"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
