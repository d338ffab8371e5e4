import XCTest

final class RLHFCommandsPlaceholder: XCTestCase {}
