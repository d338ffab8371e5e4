import XCTest

final class TensorPlaceholder: XCTestCase {}
