import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a request: files, findings cell by cell, context, controls, exception, votes, comments, history.",
      discussion:
        "Blind review: until every independent review is in, a checker sees only their own votes and comments.")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
      let workflow = try options.openWorkflow()
      let key = try options.signingKey()
      let view: RequestView
      view = try workflow.show(request, key: key)
      if json { return printJSON(view) }
      print("\(view.id)  \(view.status.rawValue)  turn \(view.turn)")
      print("project: \(view.project)   group: \(view.group)   author: \(view.author)")
      print("rule pack: \(view.rulePack)   reviews required: \(view.reviewersRequired)")
      print("submitted: \(view.submittedAt)   updated: \(view.updatedAt)")
      print("context: \(view.context)")
      print("controls: \(view.controls)")
      if let exception = view.exception { print("exception requested: \(exception)") }
      print("files:")
      for file in view.files {
        let decision = view.decisions?[file.name].map { "  decision: \($0.rawValue)" } ?? ""
        print(
          "  \(file.name)  [\(file.kind)]  sha256 \(file.sha256)  \(file.size) bytes  check: \(file.outcome ?? "not checked")\(decision)"
        )
        for finding in file.result?.findings ?? [] {
          var place = finding.line.map { "line \($0)" } ?? "whole file"
          if let column = finding.column { place += ", column \(column)" }
          if let name = finding.columnName { place += " (\(name))" }
          if let cell = finding.cellDescription { place += " [\(cell)]" }
          print("    \(finding.outcome.rawValue) \(finding.code) \(finding.rule) at \(place): \(finding.reason)")
        }
        if let error = file.result?.error { print("    error: \(error)") }
        if !file.claims.isEmpty {
          print("    claims (taken on trust; approving accepts them with --accept-claims):")
          for claim in file.claims { print("      \(claim.text)") }
        }
        for vote in view.votes where vote.file == file.name {
          let accepted = vote.acceptedClaims.map { " accepting claims \($0.prefix(12))…" } ?? ""
          print(
            "    vote by \(vote.reviewer): \(vote.status.rawValue)\(accepted) (turn \(vote.turn))"
              + (vote.comment.map { ": \($0)" } ?? ""))
        }
      }
      if !view.reviews.isEmpty {
        print(
          "reviews submitted this turn: "
            + view.reviews.map { "\($0.reviewer) at \($0.submittedAt)" }.joined(separator: ", "))
      }
      if let signatures = view.recordSignatures {
        print("review record: \(signatures)/\(view.reviewersRequired) signatures")
      }
      if !view.comments.isEmpty {
        print("comments:")
        for comment in view.comments {
          print(
            "  [turn \(comment.turn)] \(comment.author) (\(comment.role))" + (comment.file.map { " on \($0)" } ?? "")
              + ": \(comment.text)")
        }
      }
      print(view.historyProblems.isEmpty ? "history (every event signed and chained):" : "history (NOT INTACT):")
      for problem in view.historyProblems { print("  ! \(problem)") }
      for event in view.history {
        let detail = event.detail.keys.sorted().map { "\($0)=\(event.detail[$0]!)" }.joined(separator: " ")
        print("  \(event.at)  turn \(event.turn)  \(event.type) by \(event.actor)  \(detail)")
      }
    }
  }
}
