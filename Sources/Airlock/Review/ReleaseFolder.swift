import Crypto
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A release folder opened once, by descriptor (issue 19 §2). Checking a folder by path and then
/// writing by path lets someone swap the folder for a symbolic link in between and have the
/// files written wherever the link points; every file here is created, linked, inspected and
/// removed relative to the descriptor (`openat`, `linkat`, `fstatat`, `unlinkat`), never by path.
///
/// No temporary file ever has a name in the folder where the system allows (Linux `O_TMPFILE`):
/// a release killed at any point leaves only complete files (issue 19 §8). Elsewhere a temporary
/// has an airlock dot-name, removed before the release is recorded, and by the next release.
final class ReleaseFolder {
  let path: String
  let fd: Int32

  /// Names of the temporary files a release may leave in the folder when killed (systems
  /// without `O_TMPFILE`, and releases by earlier versions).
  static let temporaryPrefixes = [".airlock-tmp-", ".airlock-record-", ".airlock-receipt-"]

  /// Opens (creating it when missing) the folder at `path`, refusing a symbolic link or a file.
  init(_ path: String) throws(AirlockError) {
    self.path = path
    var info = stat()
    if lstat(path, &info) != 0 {
      do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
        throw AirlockError(.input, file: path, "cannot create the release folder")
      }
    }
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      // Linux says ENOTDIR rather than ELOOP for a link opened with O_DIRECTORY | O_NOFOLLOW.
      if code == ELOOP || (lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK) {
        throw AirlockError(.usage, file: path, "release folder is a symbolic link; refusing")
      }
      if code == ENOTDIR { throw AirlockError(.usage, file: path, "release destination is not a folder") }
      throw AirlockError(.input, file: path, "cannot open the release folder: \(String(cString: strerror(code)))")
    }
    self.fd = fd
  }

  deinit { close(fd) }

  /// What is at `name` in the folder, without following a link: nil when nothing is.
  func kind(of name: String) -> mode_t? {
    var info = stat()
    guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
    return info.st_mode & S_IFMT
  }

  /// SHA-256 of the regular file `name`, opened through the descriptor without following links.
  func sha256(of name: String) -> String? {
    let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard file >= 0 else { return nil }
    defer { close(file) }
    var hasher = SHA256()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
      if count < 0 { return nil }
      if count == 0 { break }
      hasher.update(data: buffer[0..<count])
    }
    return Data(hasher.finalize()).hex
  }

  /// Removes the temporaries a killed release left (airlock's own dot-names, never subjects).
  func removeLeftoverTemporaries() {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    where Self.temporaryPrefixes.contains(where: { name.hasPrefix($0) }) && kind(of: name) == S_IFREG {
      unlinkat(fd, name, 0)
    }
  }

  /// Creates `name` holding `data` unless a file is there. Returns whether it wrote; never
  /// replaces anything.
  func create(_ name: String, contents data: Data) throws(AirlockError) -> Bool {
    try create(name, sha256: Digest.sha256(data)) { (write: Writer) throws(AirlockError) in try write(data) }
  }

  /// Creates `name` with the bytes of the file at `source`, which must hash to `sha256`.
  func create(_ name: String, copying source: String, sha256: String) throws(AirlockError) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: source) else {
      throw AirlockError(.input, file: source, "cannot read the stored copy")
    }
    defer { try? handle.close() }
    return try create(name, sha256: sha256) { (write: Writer) throws(AirlockError) in
      while true {
        let chunk = handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty { break }
        try write(chunk)
      }
    }
  }

  /// Writes a complete, synced file and only then gives it `name` with a link that never
  /// replaces (`linkat`). The bytes written are hashed as they go: a file whose bytes are not
  /// `sha256` is never named.
  typealias Writer = (Data) throws(AirlockError) -> Void

  private func create(
    _ name: String, sha256: String, fill: (Writer) throws(AirlockError) -> Void
  ) throws(AirlockError) -> Bool {
    let destination = (path as NSString).appendingPathComponent(name)
    let (file, temporary) = try openTemporary()
    var closed = false
    defer {
      if !closed { close(file) }
      if let temporary { unlinkat(fd, temporary, 0) }
    }
    var hasher = SHA256()
    try fill { (chunk: Data) throws(AirlockError) in
      hasher.update(data: chunk)
      let complete = chunk.withUnsafeBytes { bytes -> Bool in
        var offset = 0
        while offset < bytes.count {
          let written = write(file, bytes.baseAddress! + offset, bytes.count - offset)
          if written <= 0 { return false }
          offset += written
        }
        return true
      }
      guard complete else { throw AirlockError(.input, file: destination, "cannot write into the release folder") }
    }
    guard Data(hasher.finalize()).hex == sha256 else {
      throw AirlockError(.input, file: destination, "the stored copy changed while it was being released")
    }
    fchmod(file, 0o644)
    guard fsync(file) == 0 else { throw AirlockError(.input, file: destination, "cannot sync the released file") }
    let linked: Int32
    if let temporary {
      linked = linkat(fd, temporary, fd, name, 0)
    } else {
      // An unnamed file gets its one name through /proc (linkat with AT_EMPTY_PATH needs privilege).
      linked = linkat(AT_FDCWD, "/proc/self/fd/\(file)", fd, name, AT_SYMLINK_FOLLOW)
    }
    let code = errno
    close(file)
    closed = true
    guard linked == 0 else {
      if code == EEXIST, kind(of: name) == S_IFREG, self.sha256(of: name) == sha256 { return false }
      throw AirlockError(.usage, file: destination, "cannot place file: \(String(cString: strerror(code)))")
    }
    fsync(fd)
    return true
  }

  /// A writable file in the folder: unnamed where the system can, else with a dot-name that is
  /// returned so that it can be removed.
  private func openTemporary() throws(AirlockError) -> (Int32, String?) {
    #if os(Linux)
      // O_TMPFILE is __O_TMPFILE | O_DIRECTORY; Swift does not import the compound macro.
      let unnamed = openat(fd, ".", O_WRONLY | O_CLOEXEC | 0o20000000 | O_DIRECTORY, 0o600)
      if unnamed >= 0 { return (unnamed, nil) }
    #endif
    let name = ".airlock-tmp-\(UUID().uuidString)"
    let file = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard file >= 0 else {
      throw AirlockError(
        .input, file: path, "cannot write into the release folder: \(String(cString: strerror(errno)))")
    }
    return (file, name)
  }
}
