import CZlib

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A stream of bytes read in chunks: a plain file, or a gzip file inflated on the fly.
protocol ByteSource {
  /// Fills `buffer` from the start and returns how many bytes were written; 0 means the end.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AirlockError) -> Int
  /// Releases the underlying file.
  mutating func close()
}

/// Opens `path` as a byte source, inflating it when its name ends in `.gz`.
///
/// - Parameter maxDecompressedBytes: the most a gzip file may inflate to (a guard against
///   decompression bombs).
func openByteSource(path: String, maxDecompressedBytes: Int) throws(AirlockError) -> any ByteSource {
  let file = try FileSource(path: path)
  if path.lowercased().hasSuffix(".gz") {
    return try GzipSource(file: file, path: path, limit: maxDecompressedBytes)
  }
  return file
}

/// A regular file read with `read(2)`. Directories, FIFOs, sockets, devices and symbolic links
/// are refused. A file that changes while it is read (appended to, truncated, rewritten) is an
/// error at its end, never a table made of two versions: its size and modification time at the
/// end must equal those at open, and the bytes read must equal the size.
struct FileSource: ByteSource {
  private var descriptor: Int32
  let path: String
  /// The file's size and modification time when it was opened.
  private(set) var openedSize: Int64 = 0
  private(set) var openedModified = timespec()
  /// The file's device and inode, so that a segment opened later is known to read the same file.
  private(set) var identity: (device: UInt64, inode: UInt64) = (0, 0)
  /// Where reading started (a segment of the file read on its own thread).
  private var offset: Int64 = 0
  private var total: Int64 = 0

  init(path: String, followingSymlinks: Bool = false) throws(AirlockError) {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingSymlinks ? 0 : O_NOFOLLOW))
    if fd < 0 {
      let reason =
        switch errno {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        case ELOOP: "a symbolic link (airlock reads only regular files; copy the file here instead of linking it)"
        default: "cannot open (\(String(cString: strerror(errno))))"
        }
      throw AirlockError(.input, file: path, reason)
    }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      Glibc.close(fd)
      throw AirlockError(.input, file: path, "cannot read file status")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      Glibc.close(fd)
      throw AirlockError(.input, file: path, "not a regular file (a FIFO, device, socket or directory is never read)")
    }
    // Regular files never block; clear O_NONBLOCK, which was only there so a FIFO could not hang open().
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    descriptor = fd
    openedSize = Int64(info.st_size)
    openedModified = info.st_mtim
    identity = (UInt64(info.st_dev), UInt64(info.st_ino))
  }

  /// Opens `path` to read from byte `offset` on, as one segment of the file `first` reads: a file
  /// replaced since is an error now, one changed since (size, modification time) at the segment's
  /// end, as for a whole file.
  init(path: String, offset: Int64, of first: FileSource) throws(AirlockError) {
    try self.init(path: path)
    guard identity == first.identity else {
      throw AirlockError(
        .input, file: path, "the file was replaced while it was read; check it again once it is complete")
    }
    guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
      throw AirlockError(.input, file: path, "cannot seek (\(String(cString: strerror(errno))))")
    }
    self.offset = offset
    openedSize = first.openedSize
    openedModified = first.openedModified
  }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AirlockError) -> Int {
    while true {
      let n = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
      if n > 0 { total += Int64(n) }
      if n == 0 { try checkUnchanged() }
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw AirlockError(.input, file: path, "read failed (\(String(cString: strerror(errno))))")
    }
  }

  mutating func close() {
    if descriptor >= 0 { Glibc.close(descriptor) }
    descriptor = -1
  }

  /// At the end of the file: refuses a file that changed since it was opened.
  private func checkUnchanged() throws(AirlockError) {
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw AirlockError(.input, file: path, "cannot read file status") }
    let size = Int64(info.st_size)
    if size != openedSize || offset + total != openedSize || info.st_mtim.tv_sec != openedModified.tv_sec
      || info.st_mtim.tv_nsec != openedModified.tv_nsec
    {
      throw AirlockError(
        .input, file: path,
        "the file changed while it was read (\(openedSize) bytes when opened, \(size) now, \(total) read); check it again once it is complete"
      )
    }
  }
}

/// Bytes already in memory, read as a file would be (used by the fuzzing entry points).
struct MemorySource: ByteSource {
  let bytes: [UInt8]
  private var offset = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AirlockError) -> Int {
    let n = min(buffer.count, bytes.count - offset)
    guard n > 0 else { return 0 }
    bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
    offset += n
    return n
  }

  mutating func close() {}
}

/// A gzip file inflated through zlib, streamed in chunks, with a cap on the inflated size.
///
/// Concatenated gzip members are read one after another, as `gzip -d` does. A stream that ends
/// before its trailer is a "truncated gzip stream" error, never a silently shorter table.
struct GzipSource: ByteSource {
  private var file: any ByteSource
  private let path: String
  private let limit: Int
  private var stream: UnsafeMutablePointer<z_stream>
  private var input: UnsafeMutableRawBufferPointer
  private var inputEnded = false
  private var streamEnded = false
  private var produced = 0

  init(file: any ByteSource, path: String, limit: Int) throws(AirlockError) {
    self.file = file
    self.path = path
    self.limit = limit
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    input = .allocate(byteCount: 1 << 16, alignment: 1)
    // 15 + 32: accept a gzip or zlib header, detected automatically.
    let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw AirlockError(.input, file: path, "cannot start gzip decompression")
    }
  }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AirlockError) -> Int {
    if streamEnded && stream.pointee.avail_in == 0 && inputEnded { return 0 }
    stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = uInt(buffer.count)
    while stream.pointee.avail_out > 0 {
      if stream.pointee.avail_in == 0 && !inputEnded {
        let n = try file.read(into: input)
        if n == 0 {
          inputEnded = true
        } else {
          stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
          stream.pointee.avail_in = uInt(n)
        }
      }
      if streamEnded {
        guard stream.pointee.avail_in > 0 else { break }
        // Another gzip member follows the one that ended.
        inflateReset(stream)
        streamEnded = false
      }
      if stream.pointee.avail_in == 0 && inputEnded {
        if !streamEnded {
          throw AirlockError(.input, file: path, "truncated gzip stream (the file ends before the gzip trailer)")
        }
        break
      }
      let status = inflate(stream, Z_NO_FLUSH)
      switch status {
      case Z_OK:
        continue
      case Z_STREAM_END:
        streamEnded = true
      case Z_BUF_ERROR:
        if stream.pointee.avail_in == 0 && inputEnded {
          throw AirlockError(.input, file: path, "truncated gzip stream (the file ends before the gzip trailer)")
        }
      case Z_DATA_ERROR:
        throw AirlockError(.input, file: path, "corrupt gzip data")
      case Z_MEM_ERROR:
        throw AirlockError(.input, file: path, "out of memory while decompressing")
      default:
        throw AirlockError(.input, file: path, "gzip decompression failed (zlib status \(status))")
      }
      if streamEnded && stream.pointee.avail_in == 0 && inputEnded { break }
    }
    let n = buffer.count - Int(stream.pointee.avail_out)
    produced += n
    if produced > limit {
      throw AirlockError(
        .input, file: path,
        "decompressed size exceeds the limit of \(limit) bytes (raise --max-decompressed-size if this output is genuine)"
      )
    }
    return n
  }

  mutating func close() {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
    input.deallocate()
    file.close()
  }
}

/// Reads a small text file (a manifest, rule pack or trust list) whole: a regular file only (a
/// FIFO or device never hangs or floods the reader), at most `limit` bytes, valid UTF-8.
func readSmallTextFile(
  _ path: String, what: String, limit: Int = 1 << 20, followingSymlinks: Bool = false
) throws(AirlockError) -> String {
  var source = try FileSource(path: path, followingSymlinks: followingSymlinks)
  defer { source.close() }
  var bytes: [UInt8] = []
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
  defer { buffer.deallocate() }
  while true {
    let n: Int
    do { n = try source.read(into: buffer) } catch {
      throw AirlockError(.configuration, file: path, error.message)
    }
    if n == 0 { break }
    bytes += UnsafeRawBufferPointer(rebasing: buffer[0..<n])
    if bytes.count > limit { throw AirlockError(.configuration, file: path, "\(what) is larger than \(limit) bytes") }
  }
  guard let text = String(validating: bytes, as: UTF8.self) else {
    throw AirlockError(.configuration, file: path, "\(what) is not valid UTF-8")
  }
  return text
}
