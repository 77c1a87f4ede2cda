import Foundation
import Testing

@testable import Airlock

/// Direct identifiers (I001–I005): the matchers on their own, then through `airlock check`.
@Suite struct IdentifierTests {
  private func nhs(_ text: String) -> Bool {
    Array(text.utf8).withUnsafeBufferPointer { NHSNumberRule.containsNHSNumber($0) }
  }
  private func postcode(_ text: String) -> Bool {
    Array(text.utf8).withUnsafeBufferPointer { PostcodeRule.containsPostcode($0) }
  }
  private func email(_ text: String) -> Bool {
    Array(text.utf8).withUnsafeBufferPointer { EmailAddressRule.containsEmail($0) }
  }
  private func date(_ text: String, lenient: Bool = false) -> DateOfBirthRule.Match? {
    Array(text.utf8).withUnsafeBufferPointer { DateOfBirthRule.findDate($0, lenient: lenient) }
  }
  private func findings(_ text: String, code: String, name: String = "t.csv") -> [Finding] {
    check(text, name: name).findings.filter { $0.code == code }
  }

  // MARK: NHS numbers

  @Test func nhsNumberCheckDigit() {
    #expect(nhs("9434765919"))
    #expect(nhs("943 476 5919"))
    #expect(nhs("943-476-5919"))
    #expect(nhs("NHS no: 9434765919."))
    #expect(!nhs("9434765918"), "wrong check digit")
    #expect(!nhs("9434765910"))
    // Check digit 10 is never valid: 1000000060 sums to 1*10 + 6*3 = 28 (mod 11 = 6, check 5); find one with remainder 1.
    // 100000001x: sum = 10 + 2 = 12, 12 mod 11 = 1, check = 10: invalid whatever the last digit.
    for last in 0...9 { #expect(!nhs("100000001\(last)"), "check digit 10 is invalid") }
    // Remainder 0 gives check digit 0 (11 reads as 0): 1000000010 → sum 10 + 1*2... use 2000000000 + adjust.
    // 110000000x: sum = 10 + 9 = 19, mod 11 = 8, check 3.
    #expect(nhs("1100000003"))
    // 000000011x: sum = 3 + 2 = 5, check 6; and 0000000000 passes the check but is a placeholder.
    #expect(!nhs("0000000000"))
    #expect(!nhs("1111111111"))
  }

  @Test func nhsNumberBoundaries() {
    #expect(!nhs("19434765919"), "part of an 11-digit number")
    #expect(!nhs("94347659190"))
    #expect(!nhs("9434765919.5"), "the integer part of a decimal")
    #expect(!nhs("0.9434765919"))
    #expect(!nhs("943 4765 919"), "not 3-3-4")
    #expect(!nhs("943 476-5919"), "mixed separators")
    #expect(!nhs("943  476 5919"))
    #expect(nhs("a9434765919b"), "letters are a boundary")
    #expect(!nhs("123456789"))
  }

  @Test func nhsNumberIsReportedWithoutTheNumber() {
    let found = findings("patient,count\n9434765919,12\n943 476 5918,15\n", code: "I001")
    #expect(found.count == 1)
    #expect(found.first?.line == 2 && found.first?.column == 1 && found.first?.columnName == "patient")
    #expect(found.first?.outcome == .fail)
    #expect(found.first.map { !$0.reason.contains("9434765919") && !$0.reason.contains("943") } == true)
    #expect(found.first?.cell == nil, "the row's labels are not repeated")
  }

  @Test func nhsNumberInAValueAndAHeader() {
    // A ten-digit count is a statistic (issue 15); in a column named for identifiers it is not.
    #expect(findings("region,count\nNorth,9434765919\n", code: "I001").isEmpty)
    let value = findings("region,nhs_number\nNorth,9434765919\n", code: "I001")
    #expect(value.map(\.column) == [2])
    let header = findings("region,9434765919\nNorth,12\n", code: "I001")
    #expect(header.map(\.line) == [1])
    #expect(header.first?.columnName == nil, "a column name that is an identifier is not repeated")
  }

  // MARK: Postcodes

  @Test func fullPostcodes() {
    for code in [
      "SW1A 1AA", "E1 6AN", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "GIR 0AA", "SW1A1AA",
      "sw1a 1aa",
    ] {
      #expect(postcode(code), "\(code)")
    }
    #expect(postcode("10 Downing Street, London SW1A 2AA"))
    #expect(postcode("(E1 6AN)"))
  }

  @Test func notFullPostcodes() {
    for text in [
      "SW1A", "E1", "SW1A 1", "SW1A 1A", "QW1 1AA", "Q1 2ND", "h1 2nd", "week 12 3rd", "SW1A 1AAA", "XSW1A 1AA",
      "E1 6CN", "Sw1a 1aA", "e16an", "AI1 1AA", "2020 1AB", "COVID-19 1ST",
    ] {
      #expect(!postcode(text), "\(text)")
    }
  }

  @Test func postcodeFindingNamesThePositionOnly() {
    let found = findings("area,postcode,count\nLondon,SW1A 1AA,12\nLondon,SW1A,40\n", code: "I002")
    #expect(found.count == 1)
    #expect(found.first?.line == 2 && found.first?.column == 2 && found.first?.columnName == "postcode")
    #expect(found.first.map { !$0.reason.contains("SW1A") } == true)
  }

  // MARK: Emails

  @Test func emailAddresses() {
    #expect(email("jane.doe@nhs.net"))
    #expect(email("contact: a_b+c@x-y.example.ac.uk."))
    #expect(!email("rate@30d"))
    #expect(!email("n@risk"))
    #expect(!email("@nhs.net"))
    #expect(!email("jane@nhs"))
    #expect(!email("jane@nhs.1"))
    #expect(!email("jane.@"))
  }

  @Test func emailInAQuotedFieldOfATSV() {
    let found = findings("team\tcount\nData team <data@trust.nhs.uk>\t12\n", code: "I003", name: "t.tsv")
    #expect(found.map(\.line) == [2])
    #expect(found.first.map { !$0.reason.contains("@") } == true)
  }

  // MARK: Dates

  @Test func exactDates() {
    for text in [
      "1984-03-12", "1984/3/12", "12/03/1984", "3/12/1984", "12-03-1984", "12.03.1984", "12 Mar 1984", "12-March-1984",
      "12MAR1984", "1 Sept 1984", "2020-02-29", "1984-03-12T10:00:00",
    ] {
      #expect(date(text) != nil, "\(text)")
    }
    for text in [
      "1984-03", "1984", "31/02/1984", "2019-02-29", "13/13/1984", "12/03/84", "19840312", "1984-03/12", "12 Mas 1984",
      "1/2", "0.12345", "12/03/1700",
    ] {
      #expect(date(text) == nil, "\(text)")
    }
    #expect(date("12/03/84", lenient: true) != nil)
    #expect(date("19840312", lenient: true) != nil)
    #expect(date("2020-03-16")?.whole == true)
    #expect(date(" 2020-03-16 00:00")?.whole == true)
    #expect(date("seen 2020-03-16")?.whole == false)
  }

  @Test func dateOfBirthColumnsFail() {
    for column in ["dob", "DOB", "date_of_birth", "DateOfBirth", "birth date", "patient_dob", "birthdate", "year-born"]
    {
      let found = findings("\(column),count\n12/03/1984,12\n", code: "I004")
      #expect(found.map(\.outcome) == [.fail], "\(column)")
    }
    #expect(
      findings("dob,count\n19840312,12\n", code: "I004").map(\.outcome) == [.fail], "compact form in a birth column")
    #expect(findings("dob,count\n1984,12\n", code: "I004").isEmpty, "a year of birth is not an exact date")
  }

  @Test func periodLabelsPassOtherDatesNeedReview() {
    #expect(findings("week,count\n2020-03-16,40\n2020-03-23,52\n", code: "I004").isEmpty)
    #expect(findings("week_start,region,count\n16/03/2020,North,40\n", code: "I004").isEmpty)
    // Dates in a value, in a column named for a person's event, or inside text: review.
    let event = findings("date_of_death,count\n2020-03-16,40\n", code: "I004")
    #expect(event.map(\.outcome) == [.review])
    let text = findings("week,count\nseen 2020-03-16,40\n", code: "I004")
    #expect(text.map(\.outcome) == [.review])
    let value = findings("group,n,first_admission\nA,12,2019-04-02\n", code: "I004")
    #expect(value.map(\.outcome) == [.review])
    // A crosstab by date: the column names are categories.
    #expect(findings("region,2020-03-16,2020-03-23\nNorth,40,52\n", code: "I004").isEmpty)
    // other_dates: ignore.
    let ignoring = check(
      "date_of_death,count\n2020-03-16,40\n", pack: pack(rule: "exact-date", ["other_dates": .string("ignore")]))
    #expect(ignoring.findings.filter { $0.code == "I004" }.isEmpty)
  }

  // MARK: Free text

  @Test func freeTextByLengthAndWords() {
    let long = String(repeating: "é", count: 201)
    #expect(findings("note,count\n\(long),12\n", code: "I005").count == 1)
    #expect(
      findings("note,count\n\(String(repeating: "é", count: 200)),12\n", code: "I005").isEmpty, "characters, not bytes")
    let words = Array(repeating: "word", count: 31).joined(separator: " ")
    #expect(findings("note,count\n\(words),12\n", code: "I005").first?.reason.contains("31 words") == true)
    let thirty = Array(repeating: "word", count: 30).joined(separator: " ")
    #expect(findings("note,count\n\(thirty),12\n", code: "I005").isEmpty)
    let numbers = Array(repeating: "12", count: 40).joined(separator: " ")
    #expect(findings("note,count\n\(numbers),12\n", code: "I005").isEmpty, "numbers are not words")
    #expect(findings("note,count\n\(words),12\n", code: "I005").first.map { !$0.reason.contains("word word") } == true)
  }

  // MARK: Everywhere

  @Test func identifiersAreFoundInOutputsAirlockCannotClassify() {
    // Decimal columns without conventional names: the output needs declaring, but identifiers still fail.
    let result = check("ref,score\njane@nhs.net,0.5\n9434765919,0.7\n")
    #expect(Set(result.findings.map(\.code)).isSuperset(of: ["I001", "I003"]))
    #expect(result.outcome == .fail)
  }

  @Test func disablingARuleSilencesIt() {
    let result = check(
      "contact,count\njane.doe@nhs.net,12\n", pack: pack(rule: "email-address", ["enabled": .boolean(false)]))
    #expect(!result.findings.contains { $0.code == "I003" })
  }
}

extension IdentifierTests {
  @Test func noFindingQuotesTheIdentifier() {
    let values = ["9434765919", "SW1A 1AA", "jane.doe@nhs.net", "12/03/1984", String(repeating: "secret ", count: 40)]
    let text = "nhs,postcode,contact,dob,note,count\n" + values.map { "\"\($0)\"" }.joined(separator: ",") + ",12\n"
    let result = check(text)
    let identifierFindings = result.findings.filter { $0.code.hasPrefix("I") }
    #expect(Set(identifierFindings.map(\.code)) == ["I001", "I002", "I003", "I004", "I005"])
    for finding in identifierFindings {
      let rendered = [finding.reason, finding.fix, finding.columnName ?? "", finding.cellDescription ?? ""].joined(
        separator: " ")
      for value in values {
        #expect(!rendered.contains(value.trimmingCharacters(in: .whitespaces)), "\(finding.code) quotes \(value)")
      }
      #expect(!rendered.contains("secret"))
    }
  }
}
