import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "What awaits you as a checker, what is in review, returned and approved.")
    @OptionGroup var options: ReviewOptions
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let items = try workflow.queue(key: key)
        if json { return printJSON(items) }
        var category = ""
        for item in items {
          if item.category != category {
            category = item.category
            print("\(category):")
          }
          let supportingText = item.supporting.isEmpty ? "" : " + supporting " + item.supporting.joined(separator: ", ")
          let checks = ["fail", "review", "error", "pass"].compactMap { k in item.checks[k].map { "\($0) \(k)" } }
          print(
            "  \(item.id)  project \(item.project)  \(item.status.rawValue) (turn \(item.turn))  "
              + "files: \(item.outputs.joined(separator: ", "))"
              + supportingText)
          print(
            "      checks: \(checks.joined(separator: ", "))  age \(age(item.submittedAt))  "
              + "reviews \(item.reviewsSubmitted)/\(item.reviewsRequired)"
              + (item.claims > 0 ? "  claims \(item.claims)" : "") + (item.action.map { "  next: \($0)" } ?? ""))
        }
        if items.isEmpty { print("nothing in the queue") }
      }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a request: files, findings cell by cell, context, controls, exception, votes, comments, history.",
      discussion: "Blind review: until every independent review is in, a checker sees only their own votes and comments.")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
      let workflow = try options.openWorkflow()
      let key = try options.signingKey()
      let view: RequestView
      do { view = try workflow.show(request, key: key) } catch { throw fail(error) }
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
        print("  \(file.name)  [\(file.kind)]  sha256 \(file.sha256)  \(file.size) bytes  check: \(file.outcome ?? "not checked")\(decision)")
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
          print("    vote by \(vote.reviewer): \(vote.status.rawValue)\(accepted) (turn \(vote.turn))" + (vote.comment.map { ": \($0)" } ?? ""))
        }
      }
      if !view.reviews.isEmpty {
        print("reviews submitted this turn: " + view.reviews.map { "\($0.reviewer) at \($0.submittedAt)" }.joined(separator: ", "))
      }
      if let signatures = view.recordSignatures { print("review record: \(signatures)/\(view.reviewersRequired) signatures") }
      if !view.comments.isEmpty {
        print("comments:")
        for comment in view.comments {
          print("  [turn \(comment.turn)] \(comment.author) (\(comment.role))" + (comment.file.map { " on \($0)" } ?? "") + ": \(comment.text)")
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

  struct Vote: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Vote on one output file: approve or request-changes (a comment is required to request changes).")

    enum Decision: String, ExpressibleByArgument, CaseIterable {
      case approve
      case requestChanges = "request-changes"
    }

    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Argument(help: "The output file's name in the request.") var file: String
    @Argument(help: "approve or request-changes.") var decision: Decision
    @Option(name: .long, help: "Your comment (your justification when approving flagged cells).") var comment: String?
    @Flag(
      name: .long,
      help: "Accept the file's claims (what its manifest, columns and the request declare that airlock took on trust, listed by 'airlock show'); required to approve a file that has any.")
    var acceptClaims = false

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.vote(
          request, file: file, decision == .approve ? .approved : .changesRequested, comment: comment, acceptClaims: acceptClaims,
          key: key)
        print("\(request): \(file): \(decision.rawValue)\(acceptClaims && decision == .approve ? " (claims accepted)" : "")")
      }
    }
  }

  struct SubmitReview: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "submit-review",
      abstract: "Submit and sign your review (you must have voted on every output file).",
      discussion: """
        When this completes the required number of independent reviews and every output file is approved, \
        the review record is drafted and, if you approved everything, signed with your key. The other \
        approving checkers then add their signatures with 'airlock approve'.
        """)
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let result = try workflow.submitReview(request, key: key)
        print("\(request): review submitted (\(result.reviewsSubmitted)/\(result.reviewsRequired)); now \(result.status.rawValue)")
        if result.recordReady {
          print("review record: \(result.signatures)/\(result.reviewsRequired) signatures"
            + (result.status == .approved ? "; approved" : "; other approving checkers: run 'airlock approve \(request)'"))
        }
      }
    }
  }

  struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Sign the review record of a reviewed request whose every output you approved.",
      discussion: "The request becomes approved once the record carries the policy's number of reviewer signatures.")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let result = try workflow.approve(request, key: key)
        print("\(request): record signed (\(result.signatures)/\(result.reviewsRequired)); now \(result.status.rawValue)")
      }
    }
  }

  struct Return: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "return",
      abstract: "Return a request to its author for changes (a new turn).")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Option(name: .long, help: "What the author must change (required when changes were requested).") var comment: String?

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.returnRequest(request, comment: comment, key: key)
        print("\(request): returned")
      }
    }
  }

  struct Reject: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject a reviewed request (final).")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Option(name: .long, help: "Why.") var comment: String?

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.reject(request, comment: comment, key: key)
        print("\(request): rejected")
      }
    }
  }
}
