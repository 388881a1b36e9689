// The captures of an offline run: what a file is when it is not a capture, whole packets of a
// damaged one, folders in name order, and several captures fed through the FIFO as one stream.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "capture/capture_feed.hpp"
#include "capture/capture_files.hpp"
#include "test_temp_dir.hpp"

namespace {

using namespace postern::capture;
namespace fs = std::filesystem;

// A pcap of `n` 60-byte Ethernet frames whose first byte is `tag` and timestamps start at `t0`.
std::string write_capture(const std::string &name, int n, unsigned char tag, long t0 = 1000) {
    const std::string path = postern::testing::temp_file(name);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path.c_str());
    for (int i = 0; i < n; ++i) {
        unsigned char frame[60] = {tag, static_cast<unsigned char>(i)};
        pcap_pkthdr h{};
        h.ts.tv_sec = t0 + i;
        h.caplen = h.len = sizeof frame;
        pcap_dump(reinterpret_cast<u_char *>(d), &h, frame);
    }
    pcap_dump_close(d);
    pcap_close(dead);
    return path;
}

void write_bytes(const std::string &path, const std::string &bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(Capture, ScanCountsWholePacketsAndSaysWhatIsNotACapture) {
    CaptureFile f;
    EXPECT_EQ(scan_capture(write_capture("five.pcap", 5, 1), f), "");
    EXPECT_EQ(f.packets, 5u);
    EXPECT_TRUE(f.damage.empty());
    const std::string text = postern::testing::temp_file("text.pcap");
    write_bytes(text, "From: a\n");
    EXPECT_EQ(scan_capture(text, f), "is not a pcap or pcapng capture (it starts with 46 72 6f 6d)");
    write_bytes(text, "");
    EXPECT_EQ(scan_capture(text, f), "is empty, not a pcap or pcapng capture");
    EXPECT_EQ(scan_capture(text + ".none", f), "does not exist");
    EXPECT_EQ(scan_capture(fs::path(text).parent_path().string(), f), "is not a regular file");
}

TEST(Capture, DamagedCaptureKeepsItsWholePackets) {
    const std::string path = write_capture("cut.pcap", 4, 2);
    fs::resize_file(path, fs::file_size(path) - 30);  // the last record loses 30 of its 60 bytes
    CaptureFile f;
    EXPECT_EQ(scan_capture(path, f), "");
    EXPECT_EQ(f.packets, 3u);
    EXPECT_NE(f.damage.find("truncated dump file"), std::string::npos) << f.damage;
    EXPECT_NE(damage_warning(f).find("is damaged after 3 whole packets"), std::string::npos);
}

TEST(Capture, FolderInNameOrderSkippingWhatIsNotACapture) {
    const fs::path dir = postern::testing::temp_file("folder");
    fs::create_directories(dir);
    fs::copy_file(write_capture("b.pcap", 2, 0xB), dir / "b.pcap", fs::copy_options::overwrite_existing);
    fs::copy_file(write_capture("a.pcap", 3, 0xA), dir / "a.pcap", fs::copy_options::overwrite_existing);
    write_bytes(dir / "readme.txt", "notes");
    const CaptureList list = list_captures({dir.string()});
    ASSERT_EQ(list.error, "");
    ASSERT_EQ(list.files.size(), 2u);
    EXPECT_EQ(fs::path(list.files[0].path).filename(), "a.pcap");
    EXPECT_EQ(list.packets(), 5u);
    ASSERT_EQ(list.warnings.size(), 1u);
    EXPECT_NE(list.warnings[0].find("readme.txt is not a pcap or pcapng capture"), std::string::npos);
    EXPECT_NE(list_captures({(dir / "readme.txt").string()}).error.find("readme.txt is not a pcap"), std::string::npos);
}

TEST(Capture, FeedWritesEveryWholePacketOfEveryFileInOrder) {
    CaptureFile a, b;
    ASSERT_EQ(scan_capture(write_capture("feed-a.pcap", 3, 0xA), a), "");
    const std::string cut = write_capture("feed-b.pcap", 4, 0xB, 2000);
    fs::resize_file(cut, fs::file_size(cut) - 10);
    ASSERT_EQ(scan_capture(cut, b), "");
    CaptureFeed feed;
    ASSERT_EQ(feed.start({a, b}), "");
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(feed.path().c_str(), err);  // the reader: as net_pcap opens it
    ASSERT_NE(in, nullptr) << err;
    std::string tags;
    pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(in, &h, &data) == 1) tags += (data[0] == 0xA ? "a" : "b") + std::to_string(data[1]) + " ";
    pcap_close(in);
    EXPECT_EQ(tags, "a0 a1 a2 b0 b1 b2 ");  // a's three, then b's three whole ones
    feed.finish();
}

TEST(Capture, FeedWithoutAReaderEndsAndCleansUp) {
    CaptureFile a;
    ASSERT_EQ(scan_capture(write_capture("lonely.pcap", 2, 1), a), "");
    std::string fifo;
    {
        CaptureFeed feed;
        ASSERT_EQ(feed.start({a}), "");
        fifo = feed.path();
        EXPECT_TRUE(fs::exists(fifo));
    }  // the run never started: the writer is released, joined, the FIFO removed
    EXPECT_FALSE(fs::exists(fifo));
}

}  // namespace
