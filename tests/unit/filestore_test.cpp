// File extraction, worker side (FileFeed) and writer side (FileWriter) over a real channel: what
// is kept lands under its sha256 byte for byte, once; every bound (file size, directory size,
// channel room, open files) makes the file unstored and is counted; nothing is left in tmp.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "filestore/file_feed.hpp"
#include "filestore/file_writer.hpp"
#include "proto/mime/file_hasher.hpp"
#include "test_temp_dir.hpp"

namespace postern::filestore {
namespace {

namespace fs = std::filesystem;

struct Digest {
    uint8_t d[32];
    std::string hex() const {
        char h[64];
        proto::digest_hex(d, 32, h);
        return {h, 64};
    }
};

Digest sha256(const std::string &s) {
    Digest out;
    SHA256(reinterpret_cast<const unsigned char *>(s.data()), s.size(), out.d);
    return out;
}

std::string read(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

size_t files_in(const fs::path &dir) {
    size_t n = 0;
    for (const auto &e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
    return n;
}

// A feed and a writer joined by one channel, in a fresh directory.
struct Store {
    explicit Store(const std::string &name, StoreConfig c = {}, size_t channel_bytes = 1 << 20)
        : config((c.dir = testing::temp_file(name), fs::remove_all(c.dir), c)),
          channel(channel_bytes),
          writer(config),
          feed(config, channel, writer.stored_bytes()) {
        std::string error;
        EXPECT_TRUE(writer.prepare(error)) << error;
        writer.add_channel(&channel);
    }
    // Hands `bytes` over in pieces of `piece`, closes it and lets the writer catch up.
    bool put(const std::string &bytes, bool message = false, size_t piece = 57, bool selected = false) {
        const uint32_t h = feed.begin(message, selected, false);
        if (h == 0) return false;
        for (size_t at = 0; at < bytes.size(); at += piece)
            feed.data(h, reinterpret_cast<const uint8_t *>(bytes.data()) + at, std::min(piece, bytes.size() - at));
        const Digest d = sha256(bytes);
        const bool kept = feed.close(h, d.d, selected);
        writer.drain();
        return kept;
    }
    fs::path path_of(const std::string &bytes, bool message = false) const {
        const std::string h = sha256(bytes).hex();
        return fs::path(config.dir) / h.substr(0, 2) / (message ? h + ".eml" : h);
    }
    StoreConfig config;
    pipeline::EventChannel channel;
    FileWriter writer;
    FileFeed feed;
};

std::string blob(size_t n, int seed) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 7)) & 0xFF);
    return s;
}

TEST(FileStore, KeptFilesLandUnderTheirSha256ByteForByteAndOnce) {
    Store s("store-basic");
    const std::string a = blob(100000, 1), m = "Subject: x\r\n\r\nhello\r\n";
    EXPECT_TRUE(s.put(a));
    EXPECT_TRUE(s.put(m, true));
    EXPECT_TRUE(s.put(a, false, 4096));  // the same attachment again: kept, not written twice
    EXPECT_EQ(read(s.path_of(a)), a);
    EXPECT_EQ(read(s.path_of(m, true)), m);
    EXPECT_EQ(s.writer.counters().stored, 2u);
    EXPECT_EQ(s.writer.counters().duplicates, 1u);
    EXPECT_EQ(s.writer.stored_bytes().load(), a.size() + m.size());
    EXPECT_EQ(s.feed.counters().stored, 3u);
    EXPECT_EQ(files_in(fs::path(s.config.dir) / "tmp"), 0u);
}

TEST(FileStore, InterleavedFilesOfSeveralFlowsStaySeparate) {
    Store s("store-interleaved");
    const std::string a = blob(30000, 2), b = blob(20000, 3);
    const uint32_t ha = s.feed.begin(false, false, false), hb = s.feed.begin(true, false, false);
    for (size_t at = 0; at < 30000; at += 57) {
        s.feed.data(ha, reinterpret_cast<const uint8_t *>(a.data()) + at, std::min<size_t>(57, 30000 - at));
        if (at < 20000) s.feed.data(hb, reinterpret_cast<const uint8_t *>(b.data()) + at, std::min<size_t>(57, 20000 - at));
        if (at % 5700 == 0) s.writer.drain();
    }
    EXPECT_TRUE(s.feed.close(hb, sha256(b).d, false));
    EXPECT_TRUE(s.feed.close(ha, sha256(a).d, false));
    s.writer.drain();
    EXPECT_EQ(read(s.path_of(a)), a);
    EXPECT_EQ(read(s.path_of(b, true)), b);
}

TEST(FileStore, FileOverMaxFileBytesIsNotStoredAndCounted) {
    StoreConfig c;
    c.max_file_bytes = 1000;
    Store s("store-too-large", c);
    EXPECT_FALSE(s.put(blob(1001, 4)));
    EXPECT_TRUE(s.put(blob(1000, 5)));
    EXPECT_EQ(s.feed.counters().too_large, 1u);
    EXPECT_EQ(s.writer.counters().stored, 1u);
    EXPECT_EQ(s.writer.counters().discarded, 1u);
    EXPECT_EQ(files_in(s.config.dir), 1u);
}

TEST(FileStore, FullDirectoryStopsStoringAndCountsWhatWasThereBefore) {
    StoreConfig c;
    c.max_total_bytes = 5000;
    {
        Store first("store-total", c);
        EXPECT_TRUE(first.put(blob(3000, 6)));
        EXPECT_FALSE(first.put(blob(3000, 7)));  // 6000 > 5000: refused while it streams
        EXPECT_EQ(first.feed.counters().total_limit, 1u);
    }
    // A new run on the same directory starts from the 3000 bytes already there.
    c.dir = testing::temp_file("store-total");
    FileWriter again(c);
    std::string error;
    ASSERT_TRUE(again.prepare(error)) << error;
    EXPECT_EQ(again.stored_bytes().load(), 3000u);
}

TEST(FileStore, FullChannelMakesTheFileUnstoredWithoutWaiting) {
    Store s("store-queue", {}, 20000);  // room for one staged chunk, not two
    const std::string big = blob(60000, 8);
    const uint32_t h = s.feed.begin(false, false, false);
    ASSERT_NE(h, 0u);
    for (size_t at = 0; at < big.size(); at += 1000)  // the writer does not drain meanwhile
        s.feed.data(h, reinterpret_cast<const uint8_t *>(big.data()) + at, 1000);
    EXPECT_FALSE(s.feed.close(h, sha256(big).d, false));
    EXPECT_GE(s.feed.counters().queue_full, 1u);
    while (s.writer.drain()) {
    }
    EXPECT_TRUE(s.put(blob(500, 9)));  // the next file goes through
    EXPECT_EQ(s.writer.counters().stored, 1u);
    EXPECT_EQ(files_in(fs::path(s.config.dir) / "tmp"), 0u);
}

TEST(FileStore, WaitPolicyLosesNothingWhenTheWriterIsSlow) {
    StoreConfig c;
    c.wait_when_full = true;
    Store s("store-wait", c, 20000);
    std::thread writer([&] { s.writer.run(); });
    std::vector<std::string> files;
    for (int i = 0; i < 20; ++i) {
        files.push_back(blob(30000 + 100 * i, 20 + i));
        const uint32_t h = s.feed.begin(false, false, false);
        for (size_t at = 0; at < files.back().size(); at += 57)
            s.feed.data(h, reinterpret_cast<const uint8_t *>(files.back().data()) + at,
                        std::min<size_t>(57, files.back().size() - at));
        EXPECT_TRUE(s.feed.close(h, sha256(files.back()).d, false));
    }
    s.feed.finish();
    writer.join();
    EXPECT_EQ(s.feed.counters().queue_full, 0u);
    EXPECT_EQ(s.writer.counters().stored, 20u);
    for (const auto &f : files) EXPECT_EQ(read(s.path_of(f)), f);
}

TEST(FileStore, RulesModeKeepsOnlySelectedFiles) {
    StoreConfig c;
    c.all = false;
    Store s("store-rules", c);
    EXPECT_EQ(s.feed.begin(false, false, false), 0u);  // no filestore rule could select it
    EXPECT_EQ(s.feed.counters().not_selected, 1u);
    EXPECT_TRUE(s.put(blob(700, 10), false, 57, true));  // selected before it started
    const std::string later = blob(800, 11);
    uint32_t h = s.feed.begin(false, false, true);  // a rule may still select it: spooled
    s.feed.data(h, reinterpret_cast<const uint8_t *>(later.data()), later.size());
    EXPECT_TRUE(s.feed.close(h, sha256(later).d, true));  // file.sha256 matched at its end
    h = s.feed.begin(false, false, true);
    s.feed.data(h, reinterpret_cast<const uint8_t *>(later.data()), 10);
    EXPECT_FALSE(s.feed.close(h, sha256(later.substr(0, 10)).d, false));
    s.writer.drain();
    EXPECT_EQ(s.writer.counters().stored, 2u);
    EXPECT_EQ(s.writer.counters().discarded, 1u);
    EXPECT_EQ(s.feed.counters().not_selected, 2u);
}

TEST(FileStore, IncompleteFileAndTooManyOpenFilesAreNotStored) {
    StoreConfig c;
    c.max_open_files = 1;
    Store s("store-open", c);
    const std::string a = blob(300, 12), b = blob(400, 13);
    const uint32_t ha = s.feed.begin(false, false, false);
    const uint32_t hb = s.feed.begin(false, false, false);  // gives up `a`
    EXPECT_EQ(s.feed.counters().evicted, 1u);
    s.feed.data(ha, reinterpret_cast<const uint8_t *>(a.data()), a.size());  // a stale handle: ignored
    s.feed.data(hb, reinterpret_cast<const uint8_t *>(b.data()), b.size());
    EXPECT_FALSE(s.feed.close(ha, sha256(a).d, false));
    EXPECT_TRUE(s.feed.close(hb, sha256(b).d, false));
    const uint32_t hc = s.feed.begin(false, false, false);
    EXPECT_FALSE(s.feed.close(hc, nullptr, false));  // a gap: no digest
    EXPECT_EQ(s.feed.counters().incomplete, 1u);
    s.writer.drain();
    EXPECT_EQ(read(s.path_of(b)), b);
    EXPECT_EQ(files_in(s.config.dir), 1u);
}

TEST(FileStore, EndOfRunFlushesStagedBytesAndRemovesFilesLeftOpen) {
    Store s("store-end");
    const uint32_t open = s.feed.begin(false, false, false);
    s.feed.data(open, reinterpret_cast<const uint8_t *>("never closed"), 12);
    s.feed.finish();
    s.writer.run();
    EXPECT_TRUE(s.writer.ended());
    EXPECT_EQ(s.writer.counters().abandoned, 1u);
    EXPECT_EQ(files_in(s.config.dir), 0u);
}

TEST(FileStore, UnwritableDirectoryIsAClearError) {
    StoreConfig c;
    c.dir = "/proc/postern-filestore";
    FileWriter w(c);
    std::string error;
    EXPECT_FALSE(w.prepare(error));
    EXPECT_NE(error.find("output.files.store.dir"), std::string::npos) << error;
}

}  // namespace
}  // namespace postern::filestore
