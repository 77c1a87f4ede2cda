import Foundation
import Testing

/// Manifests from the command line: every key is known or an error, and structural zeros match
/// exactly the cells they name.
@Suite struct ManifestCLITests {
  /// A crosstab (outcomes as column headers) whose Male/Stillbirth zero is structural and whose
  /// Male/Neonatal zero is a sampling zero.
  static let crosstab = "sex,Live,Stillbirth,Neonatal\nMale,40,0,0\nFemale,50,12,11\n"

  @Test func aStructuralZeroKeyedByTheColumnsDimensionExemptsOnlyThatCell() throws {
    let dir = folder([
      "t.csv": Self.crosstab,
      "t.airlock.yaml": "columns_dimension: outcome\nstructural_zeros:\n  - {sex: Male, outcome: Stillbirth}\n",
    ])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 1, "\(run.stdout)")
    // The sampling zero still fails; the declared one does not.
    #expect(run.stdout.contains("C002 zero-cell: line 2, column 4 'Neonatal'"), "\(run.stdout)")
    #expect(!run.stdout.contains("line 2, column 3 'Stillbirth'"), "\(run.stdout)")
  }

  @Test func aStructuralZeroKeyedByTheColumnsDimensionAloneCoversThatColumn() throws {
    let dir = folder([
      "t.csv": "sex,Live,Stillbirth\nMale,40,0\nFemale,50,0\n",
      "t.airlock.yaml": "columns_dimension: outcome\nstructural_zeros:\n  - {outcome: Stillbirth}\n",
    ])
    let run = try airlock(["check", dir.path])
    // No C002 finding; the declaration is listed as a claim that relaxes C002.
    #expect(!run.stdout.contains("C002 zero-cell"), "\(run.stdout)")
    #expect(run.stdout.contains("structural-zeros at t.airlock.yaml:3:5"), "\(run.stdout)")
  }

  @Test(arguments: [
    // A misspelt dimension inside an entry.
    (
      "t.airlock.yaml", "structural_zeros:\n  - {sex: Male, outcme: Stillbirth}\n",
      "t.airlock.yaml:2:17: structural_zeros.[0].outcme: 'outcme' is not a dimension"
    ),
    // A column that is not a dimension.
    ("t.airlock.yaml", "structural_zeros:\n  - {Live: '0'}\n", "structural_zeros.[0].Live: 'Live' is not a dimension"),
    // An empty entry would match every cell.
    (
      "t.airlock.yaml", "structural_zeros:\n  - {}\n",
      "t.airlock.yaml:2:5: structural_zeros.[0]: an entry needs at least one dimension"
    ),
    // An unknown key in an `outputs:` entry for another file is still an error.
    (
      "airlock.yaml", "outputs:\n  t.csv:\n    columns_dimension: outcome\n  other.csv:\n    countz: [n]\n",
      "airlock.yaml:5:5: outputs.other.csv.countz: unknown key"
    ),
    // A hierarchy keyed by a column that is not a dimension.
    (
      "t.airlock.yaml", "hierarchy:\n  seks:\n    All: [Male]\n",
      "t.airlock.yaml:2:3: hierarchy.seks: 'seks' is not a dimension"
    ),
    // A misspelt top-level key of a folder manifest's entry.
    (
      "airlock.yaml", "outputs:\n  t.csv:\n    structural_zero:\n      - {sex: Male}\n",
      "airlock.yaml:3:5: outputs.t.csv.structural_zero: unknown key"
    ),
  ])
  func unknownKeysAreErrorsWithTheirPosition(file: String, manifest: String, message: String) throws {
    let dir = folder(["t.csv": Self.crosstab, file: manifest])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 2, "\(run.stdout)")
    #expect(run.stdout.contains(message), "\(run.stdout)")
  }
}
