import Foundation
import Testing

@testable import Airlock

/// `ISOTime.parse` reads the form airlock writes without a date formatter (issue 8: `airlock queue`
/// parsed one time per request with a new formatter); it must agree with the formatter.
@Suite struct ISOTimeTests {
  func formatterParse(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)
  }

  @Test func theFastPathAgreesWithTheFormatter() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      let date = Date(
        timeIntervalSince1970: TimeInterval(Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator)))
      let text = ISOTime.format(date)
      #expect(ISOTime.parseUTC(text) == date, "\(text)")
      #expect(ISOTime.parse(text) == formatterParse(text), "\(text)")
    }
    for text in [
      "2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z", "2025-12-31T23:59:59Z",
      "1700-03-01T00:00:00Z",
    ] {
      #expect(ISOTime.parseUTC(text) != nil && ISOTime.parseUTC(text) == formatterParse(text), "\(text)")
    }
  }

  @Test func anythingElseIsLeftToTheFormatter() {
    for text in [
      "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-13-01T00:00:00Z",
      "2025-00-10T00:00:00Z",
      "2025-06-01T24:00:00Z", "2025-06-01T12:60:00Z", "2025-06-01T12:00:60Z", "2025-06-01 12:00:00Z",
      "2025-06-01T12:00:00+01:00",
      "2025-06-01T12:00:00.5Z", "2025-06-01T12:00:0xZ", "0001-01-01T00:00:00Z", "", "not a time",
    ] {
      #expect(ISOTime.parseUTC(text) == nil, "\(text)")
    }
    #expect(ISOTime.parse("2025-06-01T12:00:00+01:00") == ISOTime.parse("2025-06-01T11:00:00Z"))
    #expect(ISOTime.parse("2025-06-01T12:00:00.500Z") != nil)
  }
}
