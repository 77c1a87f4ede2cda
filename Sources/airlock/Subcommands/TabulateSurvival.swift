import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.Tabulate {
  struct Survival: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "A Kaplan–Meier table: per distinct time, the number at risk, events, censored and the estimate.")

    @Argument(help: "The microdata: CSV or TSV (optionally .gz), Stata .dta, SPSS .sav/.por, SAS .sas7bdat/.xpt.")
    var data: String

    @Option(name: .long, help: "Follow-up time.")
    var time: String

    @Option(name: .long, help: "The event indicator (1/0, true/false, yes/no; 0 is censored).")
    var event: String

    @Option(name: .long, help: "A grouping column: one curve per label.")
    var by: String?

    @OptionGroup var options: TabulateCommonOptions

    func run() throws {
      var request = SurvivalRequest(data: data, time: time, event: event, by: by)
      request.rules = options.rules
      try options.run(.survival(request: request))
    }
  }
}
