// Tests for the transaction spool: round trips, corruption detection, directory management and
// bounded memory while writing.
#include "engine/core/spool.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cutover {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class SpoolTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "cutover-spool-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string File(std::string_view name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

class SpoolTest : public SpoolTestBase {};
class SpoolDirTest : public SpoolTestBase {};

// Record `i` of a deterministic sequence, regenerated on reading instead of kept in memory.
// Sizes cycle through 0..299 bytes and every byte value, zero included, appears.
std::string MakeRecord(uint64_t i) {
  const size_t size = (i * 7919) % 300;
  std::string r(size, '\0');
  for (size_t k = 0; k < size; ++k) r[k] = static_cast<char>((i * 31 + k * 17) & 0xff);
  return r;
}

std::string BigRecord(size_t size, char seed) {
  std::string r(size, '\0');
  for (size_t k = 0; k < size; ++k) r[k] = static_cast<char>((k * 131 + seed) % 251);  // has 0s
  return r;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<uint64_t>(st.st_size);
}

void WriteFile(const std::string& path, const std::vector<std::string>& records) {
  auto writer = SpoolWriter::Create(path);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  for (const auto& r : records) ASSERT_TRUE(writer->Append(r).ok());
  ASSERT_TRUE(writer->Finish().ok());
}

std::vector<std::string> ReadAll(const std::string& path) {
  std::vector<std::string> out;
  auto reader = SpoolReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  std::string record;
  while (true) {
    Result<bool> more = reader->Next(record);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.push_back(record);
  }
  return out;
}

// Next() that must not fail; returns whether a record was read.
bool MustNext(SpoolReader& reader, std::string& record) {
  Result<bool> more = reader.Next(record);
  EXPECT_TRUE(more.ok()) << more.status().ToString();
  return more.ok() && *more;
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good());
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x40);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

// --- round trips -----------------------------------------------------------------------------

TEST_F(SpoolTest, RoundTripZeroRecords) {
  const std::string path = File("empty.spool");
  WriteFile(path, {});
  EXPECT_EQ(FileSize(path), 0u);
  auto reader = SpoolReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string record = "untouched";
  for (int i = 0; i < 2; ++i) {  // the end is sticky
    Result<bool> more = reader->Next(record);
    ASSERT_TRUE(more.ok());
    EXPECT_FALSE(*more);
  }
}

TEST_F(SpoolTest, RoundTripOneRecord) {
  const std::string path = File("one.spool");
  const std::string record("hello\0world", 11);
  WriteFile(path, {record});
  EXPECT_EQ(FileSize(path), kSpoolRecordHeaderSize + record.size());
  EXPECT_EQ(ReadAll(path), std::vector<std::string>{record});
}

TEST_F(SpoolTest, RoundTripEmptyAndZeroByteRecords) {
  const std::string path = File("zeros.spool");
  const std::vector<std::string> records = {
      "", std::string(1, '\0'), "", std::string(1000, '\0'), std::string("\0a\0", 3), ""};
  WriteFile(path, records);
  EXPECT_EQ(ReadAll(path), records);
}

TEST_F(SpoolTest, RoundTripHundredThousandRecordsWithBigOnes) {
  const std::string path = File("many.spool");
  constexpr uint64_t kCount = 100000;
  // Records that straddle or exceed the buffer, at a few positions in the stream.
  auto special = [](uint64_t i) -> std::string {
    switch (i) {
      case 10:
        return BigRecord(5 << 20, 1);  // 5 MiB
      case 50000:
        return BigRecord(kSpoolBufferSize - kSpoolRecordHeaderSize, 2);  // fills the buffer
      case 50001:
        return BigRecord(kSpoolBufferSize - kSpoolRecordHeaderSize + 1, 3);  // one over
      case 50002:
        return BigRecord(kSpoolBufferSize, 4);
      case 99999:
        return BigRecord(5 << 20, 5);
      default:
        return MakeRecord(i);
    }
  };

  auto writer = SpoolWriter::Create(path);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  uint64_t expected_bytes = 0;
  for (uint64_t i = 0; i < kCount; ++i) {
    const std::string r = special(i);
    expected_bytes += kSpoolRecordHeaderSize + r.size();
    ASSERT_TRUE(writer->Append(r).ok()) << i;
  }
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(writer->records(), kCount);
  EXPECT_EQ(writer->bytes(), expected_bytes);
  EXPECT_EQ(FileSize(path), expected_bytes);

  auto reader = SpoolReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string record;
  for (uint64_t i = 0; i < kCount; ++i) {
    Result<bool> more = reader->Next(record);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    ASSERT_TRUE(*more) << "ended early at record " << i;
    ASSERT_EQ(record, special(i)) << "record " << i;
  }
  Result<bool> more = reader->Next(record);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(reader->offset(), expected_bytes);
}

TEST_F(SpoolTest, WriterAndReaderAreMovable) {
  const std::string path = File("moved.spool");
  auto created = SpoolWriter::Create(path);
  ASSERT_TRUE(created.ok());
  SpoolWriter writer = std::move(created).value();
  ASSERT_TRUE(writer.Append("a").ok());
  SpoolWriter moved = std::move(writer);
  ASSERT_TRUE(moved.Append("b").ok());
  ASSERT_TRUE(moved.Finish().ok());

  auto opened = SpoolReader::Open(path);
  ASSERT_TRUE(opened.ok());
  SpoolReader reader = std::move(opened).value();
  std::string record;
  ASSERT_TRUE(MustNext(reader, record));
  EXPECT_EQ(record, "a");
  SpoolReader moved_reader = std::move(reader);
  ASSERT_TRUE(MustNext(moved_reader, record));
  EXPECT_EQ(record, "b");
  EXPECT_FALSE(MustNext(moved_reader, record));
}

// SpooledRecordsOpen (the CDCChangesDiskSource metric) counts records of writers that exist,
// through moves, and drops them when the writer is gone.
TEST_F(SpoolTest, OpenRecordsAreCountedUntilTheWriterIsGone) {
  const int64_t base = SpooledRecordsOpen();
  {
    auto created = SpoolWriter::Create(File("counted.spool"));
    ASSERT_TRUE(created.ok());
    SpoolWriter writer = std::move(created).value();
    ASSERT_TRUE(writer.Append("a").ok());
    ASSERT_TRUE(writer.Append("b").ok());
    EXPECT_EQ(SpooledRecordsOpen(), base + 2);
    SpoolWriter moved = std::move(writer);
    ASSERT_TRUE(moved.Append("c").ok());
    EXPECT_EQ(SpooledRecordsOpen(), base + 3);
    auto other = SpoolWriter::Create(File("other.spool"));
    ASSERT_TRUE(other.ok());
    moved = std::move(other).value();  // the first file's records are gone with it
    EXPECT_EQ(SpooledRecordsOpen(), base);
    ASSERT_TRUE(moved.Append("d").ok());
    EXPECT_EQ(SpooledRecordsOpen(), base + 1);
  }
  EXPECT_EQ(SpooledRecordsOpen(), base);
}

TEST_F(SpoolTest, AppendOrFinishAfterFinishIsFailedPrecondition) {
  auto writer = SpoolWriter::Create(File("done.spool"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(writer->Append("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(writer->Finish().code(), StatusCode::kFailedPrecondition);
}

// --- memory bound ----------------------------------------------------------------------------

TEST_F(SpoolTest, WritingKeepsAtMostOneBufferInMemory) {
  const std::string path = File("bounded.spool");
  auto writer = SpoolWriter::Create(path);
  ASSERT_TRUE(writer.ok());
  const std::string chunk = BigRecord(64 << 10, 7);
  // 48 MiB through a 1 MiB buffer: whatever is not buffered must already be in the file.
  for (int i = 0; i < 768; ++i) {
    ASSERT_TRUE(writer->Append(chunk).ok());
    ASSERT_LE(writer->buffered_bytes(), kSpoolBufferSize);
    ASSERT_EQ(FileSize(path) + writer->buffered_bytes(), writer->bytes()) << "after record " << i;
  }
  // A record bigger than the buffer goes straight to the file, not through memory.
  ASSERT_TRUE(writer->Append(BigRecord(5 << 20, 8)).ok());
  EXPECT_EQ(writer->buffered_bytes(), 0u);
  EXPECT_EQ(FileSize(path), writer->bytes());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(FileSize(path), writer->bytes());
}

// --- corruption ------------------------------------------------------------------------------

TEST_F(SpoolTest, FlippedPayloadByteIsDataLossNamingFileAndOffset) {
  const std::string path = File("flip.spool");
  WriteFile(path, {"first", "second record", "third"});
  const uint64_t second = kSpoolRecordHeaderSize + 5;
  FlipByte(path, second + kSpoolRecordHeaderSize + 3);

  auto reader = SpoolReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string record;
  Result<bool> more = reader->Next(record);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(record, "first");
  more = reader->Next(record);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(more.status().message().find(path), std::string::npos) << more.status().message();
  EXPECT_NE(more.status().message().find("checksum"), std::string::npos);
  EXPECT_NE(more.status().message().find("offset " + std::to_string(second)), std::string::npos)
      << more.status().message();
  // The error is sticky: the reader does not resynchronise on garbage.
  more = reader->Next(record);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
}

TEST_F(SpoolTest, FlippedChecksumByteIsDataLoss) {
  const std::string path = File("flipsum.spool");
  WriteFile(path, {"payload"});
  FlipByte(path, 4);  // first byte of the stored checksum
  auto reader = SpoolReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string record;
  Result<bool> more = reader->Next(record);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
}

TEST_F(SpoolTest, TruncatedMidPayloadIsDataLossNamingFile) {
  const std::string path = File("trunc.spool");
  WriteFile(path, {"first", BigRecord(3 << 20, 9)});
  const uint64_t second = kSpoolRecordHeaderSize + 5;
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(second + kSpoolRecordHeaderSize + 1000)),
            0);

  auto reader = SpoolReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string record;
  ASSERT_TRUE(MustNext(*reader, record));
  Result<bool> more = reader->Next(record);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(more.status().message().find(path), std::string::npos) << more.status().message();
  EXPECT_NE(more.status().message().find("truncated"), std::string::npos);
  EXPECT_NE(more.status().message().find("offset " + std::to_string(second)), std::string::npos)
      << more.status().message();
}

TEST_F(SpoolTest, TruncatedMidHeaderIsDataLoss) {
  const std::string path = File("trunchdr.spool");
  WriteFile(path, {"first", "second"});
  const uint64_t second = kSpoolRecordHeaderSize + 5;
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(second + 7)), 0);

  auto reader = SpoolReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string record;
  ASSERT_TRUE(MustNext(*reader, record));
  Result<bool> more = reader->Next(record);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(more.status().message().find(path), std::string::npos) << more.status().message();
}

TEST_F(SpoolTest, CorruptLengthIsDataLossWithoutHugeAllocation) {
  const std::string path = File("len.spool");
  WriteFile(path, {"abc"});
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    const char huge[4] = {'\xff', '\xff', '\xff', '\x7f'};  // ~2 GiB claimed
    f.write(huge, 4);
  }
  auto reader = SpoolReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string record;
  Result<bool> more = reader->Next(record);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
  EXPECT_LT(record.capacity(), size_t{1} << 20);
}

// --- I/O errors ------------------------------------------------------------------------------

TEST_F(SpoolTest, OpenErrorsCarryPathAndReason) {
  const std::string missing = File("no/such/dir/x.spool");
  auto writer = SpoolWriter::Create(missing);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kNotFound);
  EXPECT_NE(writer.status().message().find(missing), std::string::npos);
  EXPECT_NE(writer.status().message().find("No such file or directory"), std::string::npos)
      << writer.status().message();

  auto reader = SpoolReader::Open(File("absent.spool"));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound);
  EXPECT_NE(reader.status().message().find("absent.spool"), std::string::npos);
}

// --- SpoolDir --------------------------------------------------------------------------------

TEST_F(SpoolDirTest, OpenCreatesParentsAndPrivateDirectory) {
  const std::string path = File("a/b/spool");
  auto dir = SpoolDir::Open(path);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(dir->path(), path);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // Files are private too.
  const std::string file = dir->PathFor("tx1");
  auto writer = SpoolWriter::Create(file);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST_F(SpoolDirTest, OpenRejectsEmptyPathAndNonDirectory) {
  auto empty = SpoolDir::Open("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);

  const std::string file = File("plain");
  std::ofstream(file) << "x";
  auto not_dir = SpoolDir::Open(file);
  ASSERT_FALSE(not_dir.ok());
  EXPECT_NE(not_dir.status().message().find(file), std::string::npos);
}

TEST_F(SpoolDirTest, ASecondOpenOfALockedDirectoryFailsUntilTheFirstIsGone) {
  const std::string path = File("locked");
  {
    auto first = SpoolDir::Open(path);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    SpoolDir copy = *first;  // copies share the lock
    auto second = SpoolDir::Open(path);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find(path), std::string::npos);
    EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  }
  auto again = SpoolDir::Open(path);
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST_F(SpoolDirTest, ReopenClearsStaleSpoolFilesOnly) {
  const std::string path = File("spool");
  std::vector<std::string> stale;
  {
    auto dir = SpoolDir::Open(path);
    ASSERT_TRUE(dir.ok());
    for (std::string key : {"tx1", "tx2", "tx/3"}) {
      stale.push_back(dir->PathFor(key));
      WriteFile(stale.back(), {"left over"});
    }
    // A writer that never finished, as after a crash.
    auto writer = SpoolWriter::Create(dir->PathFor("tx4"));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->Append("partial").ok());
    stale.push_back(writer->path());
  }
  const std::string unrelated = path + "/notes.txt";
  std::ofstream(unrelated) << "not ours";

  auto dir = SpoolDir::Open(path);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  for (const auto& file : stale) EXPECT_FALSE(fs::exists(file)) << file;
  EXPECT_TRUE(fs::exists(unrelated));
}

TEST_F(SpoolDirTest, RemoveAndRemoveAll) {
  auto dir = SpoolDir::Open(File("spool"));
  ASSERT_TRUE(dir.ok());
  WriteFile(dir->PathFor("a"), {"1"});
  WriteFile(dir->PathFor("b"), {"2"});
  WriteFile(dir->PathFor("c"), {"3"});

  ASSERT_TRUE(dir->Remove("a").ok());
  EXPECT_FALSE(fs::exists(dir->PathFor("a")));
  EXPECT_TRUE(fs::exists(dir->PathFor("b")));
  EXPECT_TRUE(dir->Remove("a").ok());  // already gone: fine
  EXPECT_TRUE(dir->Remove("never-existed").ok());

  ASSERT_TRUE(dir->RemoveAll().ok());
  EXPECT_FALSE(fs::exists(dir->PathFor("b")));
  EXPECT_FALSE(fs::exists(dir->PathFor("c")));
}

TEST_F(SpoolDirTest, PathForGivesDistinctSafeNamesInsideTheDirectory) {
  auto dir = SpoolDir::Open(File("spool"));
  ASSERT_TRUE(dir.ok());
  const std::vector<std::string> keys = {
      "",
      "tx1",
      "TX1",
      "0/1A2B3C4D",
      "0_1A2B3C4D",
      "../../etc/passwd",
      "..",
      ".",
      ".hidden",
      "a b",
      "a%20b",
      std::string("nul\0byte", 8),
      "é",
      "tx:42:sub-1",
      std::string(1000, 'k'),
      std::string(1000, 'k') + "x",
      std::string(300, '/'),
  };
  std::set<std::string> seen;
  for (const auto& key : keys) {
    const std::string file = dir->PathFor(key);
    const fs::path p(file);
    EXPECT_EQ(p.parent_path().string(), dir->path()) << file;
    const std::string name = p.filename().string();
    EXPECT_LT(name.size(), 255u) << file;
    EXPECT_NE(name.front(), '.') << file;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_.-%~"),
              std::string::npos)
        << file;
    EXPECT_TRUE(seen.insert(name).second) << "collision: " << file;
    // Each name really is usable.
    WriteFile(file, {key});
    EXPECT_EQ(ReadAll(file), std::vector<std::string>{key});
  }
  EXPECT_EQ(dir->PathFor("tx1"), dir->PathFor("tx1"));  // stable
}

}  // namespace
}  // namespace cutover
