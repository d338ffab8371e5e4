import XCTest

final class ModelIOPlaceholder: XCTestCase {}
