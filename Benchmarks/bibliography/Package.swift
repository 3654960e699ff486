// swift-tools-version:6.1
import PackageDescription

// A separate package so the benchmark builds in release without touching the product's build.
// Sources/Bibliography is a symbolic link to the product's own target.
let package = Package(
    name: "BibliographyBenchmark",
    targets: [
        .target(
            /** The product's Bibliography target, built here in release */
            name: "Bibliography"
        ),
        .executableTarget(
            /** Times reading (and optionally writing JSON Lines) of export files */
            name: "bib-bench",
            dependencies: ["Bibliography"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
