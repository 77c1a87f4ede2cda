/// The built-in rules, sorted by code. Add a new rule here (a test checks that every rule file is
/// registered, that codes and names are unique, and that the list is sorted).
public enum RuleRegistry {
  public static let builtIn: [any Rule.Type] = [
    UndeclaredOutputRule.self,
    SmallCellCountRule.self,
    ZeroCellRule.self,
    CellEqualsTotalRule.self,
    InvalidCountRule.self,
    RoundingRule.self,
    MarkerSchemeRule.self,
    PercentageWithoutCountRule.self,
    UnsupportedFileRule.self,
    UncheckedColumnRule.self,
    TableStructureRule.self,
    DerivedCountRule.self,
    CumulativeCountRule.self,
    ResidualDegreesOfFreedomRule.self,
    ParameterShareRule.self,
    SaturatedModelRule.self,
    RatioWithoutCountsRule.self,
    RatioBackSolvingRule.self,
    EvidenceNotForReleaseRule.self,
    EvidenceConsistencyRule.self,
    HistogramBinCountRule.self,
    HistogramExtremeBinsRule.self,
    NHSNumberRule.self,
    PostcodeRule.self,
    EmailAddressRule.self,
    DateOfBirthRule.self,
    FreeTextRule.self,
    PhoneNumberRule.self,
    PersonNameRule.self,
    NKDominanceRule.self,
    PPercentRule.self,
    MagnitudeContributorsRule.self,
    StatisticThresholdRule.self,
    ExtremeValueRule.self,
    PercentileAtExtremeRule.self,
    IdenticalValuesRule.self,
    SurvivalStepRule.self,
    SurvivalTailRule.self,
    SurvivalRoundingRule.self,
    RecoverableSuppressionRule.self,
    CrossOutputDifferencingRule.self,
    OverlappingBandsRule.self,
  ]

  /// The rule with `name` (kebab-case), if any.
  public static func rule(named name: String) -> (any Rule.Type)? {
    builtIn.first { $0.description.name == name }
  }

  /// The rule with `code` (such as `C001`) or name, if any.
  public static func rule(codeOrName: String) -> (any Rule.Type)? {
    builtIn.first { $0.description.code.lowercased() == codeOrName.lowercased() || $0.description.name == codeOrName }
  }
}
