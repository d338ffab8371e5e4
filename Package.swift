// swift-tools-version:6.0
import PackageDescription

/// The hot numeric loops are C kernels (`CKernels`) built for several instruction sets and chosen at run time,
/// so a plain `swift build -c release` runs at full speed. Exclusivity checks cost real time in the Swift
/// loops around them, so numeric targets skip them.
let numericSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "swift-rlhf",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rlhf", targets: ["rlhf"]),
        .library(name: "RLHF", targets: ["Tensor", "Models", "ModelIO", "Training", "Generation", "Data"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CKernelSupport"),
        .target(name: "CKernels", publicHeadersPath: "include"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernelSupport", "CKernels"], swiftSettings: numericSettings),
        .target(name: "Models", dependencies: ["Tensor"], swiftSettings: numericSettings),
        .target(name: "ModelIO", dependencies: ["Tensor", "Models"], swiftSettings: numericSettings),
        .target(name: "Training", dependencies: ["Tensor", "Models"], swiftSettings: numericSettings),
        .target(name: "Generation", dependencies: ["Tensor", "Models", "ModelIO"], swiftSettings: numericSettings),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Data", dependencies: ["CZlib", "Tensor", "ModelIO"]),
        .target(name: "Monitor"),
        .target(name: "Wire"),
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Cluster", dependencies: [
            "Tensor", "Models", "ModelIO", "Training", "Generation", "Data", "Wire",
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: numericSettings),
        .target(name: "RLHFCommands", dependencies: [
            "Tensor", "Models", "ModelIO", "Training", "Generation", "Data", "Wire", "Cluster", "Monitor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "rlhf", dependencies: ["RLHFCommands"]),
        .target(name: "TestSupport", path: "Sources/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["TestSupport", "Tensor"]),
        .testTarget(name: "ModelsTests", dependencies: ["TestSupport", "Tensor", "Models", "ModelIO"]),
        .testTarget(name: "ModelIOTests", dependencies: ["TestSupport", "Tensor", "Models", "ModelIO"]),
        .testTarget(name: "TrainingTests", dependencies: ["TestSupport", "Tensor", "Models", "Training"]),
        .testTarget(name: "GenerationTests", dependencies: ["TestSupport", "Tensor", "Models", "ModelIO", "Generation"]),
        .testTarget(name: "DataTests", dependencies: ["TestSupport", "Data", "ModelIO"], exclude: ["vader-expected.json"]),
        .testTarget(name: "MonitorTests", dependencies: ["Monitor"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "ClusterTests", dependencies: ["TestSupport", "Cluster", "Training", "Generation"]),
        .testTarget(name: "RLHFCommandsTests", dependencies: ["TestSupport", "RLHFCommands", "ModelIO", "Models"]),
    ]
)
