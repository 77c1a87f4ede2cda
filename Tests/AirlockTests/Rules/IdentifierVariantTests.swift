import Foundation
import Testing

@testable import Airlock

/// Identifiers however they are written (issue 18 item 6), and the safe look-alikes that must pass
/// (issue 15 item 6).
@Suite struct IdentifierVariantTests {
  private func matches(_ text: String, _ matcher: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
    Array(text.utf8).withUnsafeBufferPointer(matcher)
  }
  private func findings(_ text: String, code: String) -> [Finding] {
    check(text).findings.filter { $0.code == code }
  }

  @Test(arguments: [
    "M1  1AE", "M1   1AE", "SW1A1AA", "SW1A 1AA", "EC1A 1BB", "B1  1AA", "AB101AA", "AB10 1AA", "CR2  6XH",
  ])
  func fixedWidthPostcodes(text: String) {
    #expect(matches(text, PostcodeRule.containsPostcode), "\(text)")
  }

  @Test(arguments: ["M1  1", "M1", "SW1A", "m1  1ae", "M1    1AE", "Q1  1AA", "ROOM 1  2ND"])
  func postcodeLookAlikes(text: String) {
    #expect(!matches(text, PostcodeRule.containsPostcode), "\(text)")
  }

  @Test(arguments: [
    "943.476.5919", "943/476/5919", "943_476_5919", "NHS No.943.476.5919", "ref:9434765919;", "(943-476-5919)",
  ])
  func nhsNumberSeparators(text: String) {
    #expect(matches(text, NHSNumberRule.containsNHSNumber), "\(text)")
  }

  @Test(arguments: ["943.476.5918", "943.476-5919", "9434.765.919", "1.943.476.5919"])
  func nhsNumberLookAlikes(text: String) {
    #expect(!matches(text, NHSNumberRule.containsNHSNumber), "\(text)")
  }

  @Test func chiNumbers() {
    // 120384 is 12 March 1984; 1205 completes the modulus-11 check.
    #expect(matches("1203841205", NHSNumberRule.containsNHSNumber), "written together, a CHI number has the NHS form")
    for text in ["120384-1205", "120384 1205", "CHI: 120384.1205 seen"] {
      #expect(matches(text, NHSNumberRule.containsCHINumber), "\(text)")
    }
    #expect(!matches("120384-1204", NHSNumberRule.containsCHINumber), "wrong check digit")
    #expect(!matches("321384-1205", NHSNumberRule.containsCHINumber), "day 32 is no date")
    #expect(!matches("121384-1205", NHSNumberRule.containsCHINumber), "month 13 is no date")
    #expect(!matches("120384-12055", NHSNumberRule.containsCHINumber), "part of a longer number")
  }

  @Test(arguments: [
    "07700 900123", "07700900123", "07700-900-123", "(020) 7946 0958", "020 7946 0958", "0161 496 0000",
    "+44 7700 900123",
    "+44 (0)20 7946 0958", "+447700900123", "0044 161 496 0000", "tel: 0113 496 0000.", "01632 960001", "0800 123 4567",
  ])
  func phoneNumbers(text: String) {
    #expect(matches(text, PhoneNumberRule.containsPhoneNumber), "\(text)")
  }

  @Test(arguments: [
    "01-02-2023", "2023-01-02", "01/02/2023 10:30", "E01000001", "0.0123456789", "09-10-11-12-13", "077009001234567",
    "12 07700 9001", "P0770090012", "0 1 2 3 4 5 6 7 8 9 0",
  ])
  func phoneLookAlikes(text: String) {
    #expect(!matches(text, PhoneNumberRule.containsPhoneNumber), "\(text)")
  }

  @Test(arguments: [
    "Mr Smith", "seen by Mrs Patel today", "Dr. Jones", "Dr A Jones", "Miss O'Neil", "Ms Smith-Jones",
    "John Smith, aged 34",
    "John Smith aged 34", "Jane Doe 34 years", "Jane Doe 34yo", "Jane Doe 12/03/1984",
    "Jane Doe born 1984", "a 34-year-old Jane Doe", "Jane Doe DOB 1984-03-12",
  ])
  func namesInFreeText(text: String) {
    #expect(matches(text, PersonNameRule.containsName), "\(text)")
  }

  @Test(arguments: [
    "Mr", "Mrs", "MR SMITH", "Diabetes Mellitus", "North East", "Heart Failure 2023", "North East, London",
    "Drug misuse", "Mrs smith", "Year 2023", "Age 40-49", "Aged 65 and over", "P01", "Total", "North East (12)",
    "Heart Failure, 34", "Heart Failure 977", "Leeds General Infirmary", "Follow Up Visit 12 at Leeds General 03-05",
    "Winter Ward 2023-24",
  ])
  func nameLookAlikes(text: String) {
    #expect(!matches(text, PersonNameRule.containsName), "\(text)")
  }

  /// A short note naming a patient fails, however short (I005 judges only long text).
  @Test func aShortNoteNamingAPatientFails() {
    let found = findings("note,count\nMr Smith,12\nRoutine,40\n", code: "I007")
    #expect(found.map(\.line) == [2])
    #expect(found.first.map { !$0.reason.contains("Smith") } == true)
  }

  /// Issue 15 item 6: a ten-digit number in a count or sum column that passes modulus-11 is a
  /// statistic; in a label or text column, or a column named for identifiers, it is an identifier.
  @Test func tenDigitStatisticsAreNotIdentifiers() {
    #expect(findings("region,count\nNorth,9434765919\nSouth,40\n", code: "I001").isEmpty)
    #expect(findings("region,sum\nNorth,9434765919\nSouth,4000\n", code: "I001").isEmpty)
    #expect(findings("region,total_cost\nNorth,9434765919.00\n", code: "I001").isEmpty)
    #expect(findings("region,count\nNorth,07700900123\n", code: "I006").isEmpty)
    #expect(findings("patient,count\n9434765919,12\n", code: "I001").count == 1, "a label column")
    #expect(findings("region,nhs_number\nNorth,9434765919\n", code: "I001").count == 1, "named for identifiers")
    #expect(findings("region,patient_id,count\nNorth,9434765919,12\n", code: "I001").count == 1)
    #expect(
      findings("region,count\nNorth,943 476 5919\n", code: "I001").count == 1, "written as an identifier, not a number")
  }
}
