import XCTest

final class GenerationPlaceholder: XCTestCase {}
