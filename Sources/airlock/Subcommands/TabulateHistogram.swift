import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.Tabulate {
  struct Histogram: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Counts of a numeric column in fixed bins [low, low+width), …, the last bin closed.")

    @Argument(help: "The microdata: CSV or TSV (optionally .gz), Stata .dta, SPSS .sav/.por, SAS .sas7bdat/.xpt.")
    var data: String

    @Option(name: .long, help: "The numeric column.")
    var column: String

    @Option(name: .long, help: "LOW:HIGH:WIDTH, such as 0:100:10.")
    var bins: String

    @OptionGroup var options: TabulateCommonOptions

    func run() throws {
      var request = HistogramRequest(data: data, column: column, bins: bins)
      request.rules = options.rules
      try options.run(.histogram(request: request))
    }
  }
}
